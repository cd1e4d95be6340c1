/**
 * SUB (protocol 2, id 0x21): receives what PUB peers publish, fair-queued
 * across them, keeping only messages whose body starts with a subscribed
 * topic. Messages carry no SP header and a SUB never sends anything:
 * subscriptions stay local.
 *
 * Subscriptions are set with `sub.subscribe(topic)` (or
 * `setOption("subscribe", topic)`, or nanomsg's
 * `setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, topic)`) and removed with
 * `unsubscribe(topic)` (`NN_SUB_UNSUBSCRIBE`); a topic is a `Uint8Array`
 * or a string (its UTF-8 bytes). They cannot be read back (`getsockopt` fails
 * with ENOPROTOOPT, as in nanomsg). They behave like nanomsg's, which
 * differ from nng's:
 *
 * - they are refcounted: subscribing "a" twice and unsubscribing it once
 *   leaves it subscribed (nng ignores the second subscribe);
 * - unsubscribing a topic that is not subscribed succeeds and does nothing
 *   (nng fails with `NNG_ENOENT`);
 * - a raw SUB (`AF_SP_RAW`) accepts subscriptions and filters like a
 *   cooked one (nng's raw SUB delivers everything and refuses the option).
 *
 * Filtering happens as the application receives, as in nanomsg: a queued
 * message is checked against the subscriptions in force at that moment,
 * and one that matches none is discarded. Discarded messages are not
 * counted in `messagesDropped` (filtering is SUB working as intended, not
 * a loss). A SUB without subscriptions therefore receives nothing. For
 * `poll()` a SUB is readable only when a message that matches is waiting
 * (the check filters as a receive would then, and keeps the match for the
 * next receive; nanomsg reports any queued message).
 *
 * Contexts (`sub.openContext()`, nng's): each has subscriptions of its
 * own and gets its own copy of every message that matches them. While
 * one is open, messages are read as they arrive and queued per receiver,
 * the socket included, and a receiver that falls behind loses its oldest
 * messages (see `sub_context.ts`).
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type { ContextHost, PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import { FairQueue } from "../../routing/fair_queue.ts";
import { Subscriptions } from "../../routing/subscriptions.ts";
import { SubContext, SubInbox, topicBytes } from "./sub_context.ts";
import { SubSocket } from "./sub_socket.ts";

/** SUB's SP id, also the option level of its subscriptions. */
export const NN_SUB = 0x21;
/** Option (level {@linkcode NN_SUB}): adds a subscription to a topic. */
export const NN_SUB_SUBSCRIBE = 1;
/** Option (level {@linkcode NN_SUB}): removes one subscription to a topic. */
export const NN_SUB_UNSUBSCRIBE = 2;
/** PUB's SP id, SUB's peer. */
const PUB_ID = 0x20;

const OPTION_NUMBERS = { subscribe: NN_SUB_SUBSCRIBE, unsubscribe: NN_SUB_UNSUBSCRIBE };

class Sub implements Protocol {
  readonly #host: ProtocolHost;
  readonly #inbound = new FairQueue();
  readonly #subscriptions = new Subscriptions();
  /** A matching message `readyToRecv()` found, delivered next if it still matches. */
  #held: Uint8Array | undefined;
  /** The open contexts; while there are any, messages are handed out as they arrive. */
  readonly #contexts = new Set<SubContext>();
  /** The socket's own queue while contexts are open (and until it is drained after). */
  readonly #ownInbox: SubInbox;

  constructor(host: ProtocolHost) {
    this.#host = host;
    this.#ownInbox = new SubInbox(() => {}, () => host.dropped("queue-full"), this.#subscriptions);
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    this.#inbound.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#inbound.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    if (this.#contexts.size > 0) this.#handOut();
    this.#host.readable();
  }

  openContext(host: ContextHost): SubContext {
    const context = new SubContext(
      host,
      OPTION_NUMBERS,
      () => this.#host.dropped("queue-full"),
      (closed) => this.#contexts.delete(closed),
    );
    if (this.#contexts.size === 0) this.#startHandingOut();
    this.#contexts.add(context);
    return context;
  }

  /**
   * Contexts start: what waits in the pipes was published before any
   * context existed, so it goes to the socket's own queue alone, filtered
   * as a receive would filter it now.
   */
  #startHandingOut(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#ownInbox.offer(held);
    for (let body = this.#inbound.recv(); body !== undefined; body = this.#inbound.recv()) this.#ownInbox.offer(body);
  }

  /** Reads every waiting message and gives each receiver that subscribed to it a copy of its own. */
  #handOut(): void {
    for (let body = this.#inbound.recv(); body !== undefined; body = this.#inbound.recv()) {
      // The first receiver gets the bytes as read, the others copies: no receiver sees another's changes.
      let taken = this.#ownInbox.offer(body);
      for (const context of this.#contexts) {
        if (context.inbox.subscriptions.matches(body)) {
          context.inbox.offer(taken ? body.slice() : body);
          taken = true;
        }
      }
    }
  }

  pipeWritable(): void {}

  trySend(): boolean {
    return false;
  }

  tryRecv(): Uint8Array | undefined {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && this.#subscriptions.matches(held)) return held;
    // The socket's queue from while contexts were open comes first, then the pipes as nanomsg reads them.
    if (this.#ownInbox.length > 0) return this.#ownInbox.take();
    if (this.#contexts.size > 0) return undefined;
    for (;;) {
      const body = this.#inbound.recv();
      if (body === undefined || this.#subscriptions.matches(body)) return body;
    }
  }

  readyToSend(): boolean {
    return false;
  }

  readyToRecv(): boolean {
    this.#held ??= this.tryRecv();
    return this.#held !== undefined;
  }

  setOption(option: number, value: unknown): void {
    if (option === NN_SUB_SUBSCRIBE) {
      this.#subscriptions.subscribe(topicBytes(value));
    } else if (option === NN_SUB_UNSUBSCRIBE) {
      this.#subscriptions.unsubscribe(topicBytes(value));
    } else {
      throw new SpError("ENOPROTOOPT", `SUB has no option ${option}`);
    }
  }
}

/**
 * The SUB protocol, to register on a runtime. Its sockets are
 * {@linkcode SubSocket}s: `subscribe()`, `unsubscribe()`, the options
 * `subscribe` and `unsubscribe` by name, and `openContext()`.
 *
 * @example Usage
 * ```ts
 * import { NN_SUB, NN_SUB_SUBSCRIBE, Runtime, subProtocol } from "@sp/nanomsg";
 * const runtime = new Runtime();
 * runtime.registerProtocol(subProtocol);
 * await using sub = runtime.socket("sub");
 * sub.setsockopt(NN_SUB, NN_SUB_SUBSCRIBE, "news.");
 * console.log(sub.protocolId); // 33
 * ```
 */
export const subProtocol: ProtocolSpec = {
  name: "sub",
  id: NN_SUB,
  peerId: PUB_ID,
  canSend: false,
  canRecv: true,
  options: { subscribe: NN_SUB_SUBSCRIBE, unsubscribe: NN_SUB_UNSUBSCRIBE },
  create: (host) => new Sub(host),
  createSocket: (setup) => new SubSocket(setup),
};
