/**
 * SUB contexts (nng's): each context has subscriptions of its own and
 * receives every published message that matches them, independently of
 * the socket and of the other contexts — one connection to a publisher,
 * several consumers each with its own topics.
 *
 * While at least one context is open, the SUB reads its pipes as messages
 * arrive and hands each message to every receiver whose subscriptions
 * match at that moment: each open context, and the socket itself (its own
 * subscriptions). Each receiver keeps at most
 * {@linkcode SUB_CONTEXT_QUEUE_LENGTH} messages; a receiver that falls
 * behind loses its oldest message for each new one (nng's default,
 * "prefer new"), counted as a `queue-full` drop. Without contexts SUB
 * keeps nanomsg's behaviour: messages wait in the pipes (back-pressure on
 * the publisher's connection) and are filtered as the socket receives.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type { ContextHost, ProtocolContext } from "../../core/protocol.ts";
import { Queue } from "../../routing/queue.ts";
import { Subscriptions } from "../../routing/subscriptions.ts";

/** How many messages a SUB context (or the socket, while contexts are open) holds before dropping its oldest. */
export const SUB_CONTEXT_QUEUE_LENGTH = 128;

const encoder = new TextEncoder();

/**
 * A topic as bytes: a `Uint8Array` as it is, a string as its UTF-8 bytes.
 *
 * @example Usage
 * ```ts ignore
 * topicBytes("news."); // Uint8Array [110, 101, 119, 115, 46]
 * ```
 *
 * @throws {SpError} EINVAL for anything else
 */
export function topicBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return encoder.encode(value);
  throw new SpError("EINVAL", "a topic is a Uint8Array or a string");
}

/**
 * One receiver of published messages while contexts are open: its
 * subscriptions and the messages that matched them, bounded.
 *
 * @example Usage
 * ```ts ignore
 * const inbox = new SubInbox(() => {}, () => drops++);
 * inbox.subscriptions.subscribe(new TextEncoder().encode("a"));
 * inbox.offer(new TextEncoder().encode("abc")); // true: queued
 * inbox.take(); // the message
 * ```
 */
export class SubInbox {
  /** What this receiver is subscribed to. */
  readonly subscriptions: Subscriptions;
  readonly #queue = new Queue<Uint8Array>();
  readonly #arrived: () => void;
  readonly #droppedOldest: () => void;

  /**
   * @param arrived called when a message was queued
   * @param droppedOldest called for each message lost because the queue was full
   * @param subscriptions the receiver's subscriptions (a fresh set by default)
   */
  constructor(arrived: () => void, droppedOldest: () => void, subscriptions = new Subscriptions()) {
    this.subscriptions = subscriptions;
    this.#arrived = arrived;
    this.#droppedOldest = droppedOldest;
  }

  /** How many messages wait. */
  get length(): number {
    return this.#queue.length;
  }

  /**
   * Queues `body` if it matches the subscriptions (dropping the oldest
   * message when full).
   *
   * @returns whether it matched
   */
  offer(body: Uint8Array): boolean {
    if (!this.subscriptions.matches(body)) return false;
    if (this.#queue.length >= SUB_CONTEXT_QUEUE_LENGTH) {
      this.#queue.shift();
      this.#droppedOldest();
    }
    this.#queue.push(body);
    this.#arrived();
    return true;
  }

  /** The oldest waiting message, if any. */
  take(): Uint8Array | undefined {
    return this.#queue.shift();
  }

  /** Forgets every waiting message. */
  clear(): void {
    this.#queue.drain();
  }
}

/** Option numbers a SUB context takes (the socket's own, level NN_SUB). */
export interface SubOptionNumbers {
  readonly subscribe: number;
  readonly unsubscribe: number;
}

/**
 * A SUB context: receives what matches its own subscriptions; sends
 * nothing (the socket refuses sends before they get here).
 *
 * @example Usage
 * ```ts ignore
 * const context = new SubContext(host, { subscribe: 1, unsubscribe: 2 }, onDrop, onClose);
 * context.setOption(1, "news.");
 * ```
 */
export class SubContext implements ProtocolContext {
  /** Where matching messages wait for this context's receives. */
  readonly inbox: SubInbox;
  readonly #options: SubOptionNumbers;
  readonly #closed: (context: SubContext) => void;

  /**
   * @param host the context's side of the socket (told when a message arrives)
   * @param options SUB's option numbers for subscribe and unsubscribe
   * @param droppedOldest counts a message this context lost to a full queue
   * @param closed tells the SUB the context is gone
   */
  constructor(
    host: ContextHost,
    options: SubOptionNumbers,
    droppedOldest: () => void,
    closed: (context: SubContext) => void,
  ) {
    this.inbox = new SubInbox(() => host.readable(), droppedOldest);
    this.#options = options;
    this.#closed = closed;
  }

  trySend(): boolean {
    throw new SpError("ENOTSUP", "SUB sends nothing");
  }

  tryRecv(): Uint8Array | undefined {
    return this.inbox.take();
  }

  setOption(option: number, value: unknown): void {
    if (option === this.#options.subscribe) this.inbox.subscriptions.subscribe(topicBytes(value));
    else if (option === this.#options.unsubscribe) this.inbox.subscriptions.unsubscribe(topicBytes(value));
    else throw new SpError("ENOPROTOOPT", `a SUB context has no option ${option}`);
  }

  close(): void {
    this.inbox.clear();
    this.#closed(this);
  }
}
