/**
 * The SUB socket users get from `openSocket("sub")`: `subscribe(topic)`
 * and `unsubscribe(topic)`, and the same as options by name
 * (`setOption("subscribe", topic)`), besides nanomsg's `setsockopt`; and
 * `openContext()`, a receiver with subscriptions of its own.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import { Socket } from "../../core/socket.ts";

/** SUB's options by name (they can be set, not read, as in nanomsg). */
export interface SubOptions {
  /** `NN_SUB_SUBSCRIBE`: receive messages starting with this topic (UTF-8 for a string; "" for all). */
  subscribe: Uint8Array | string;
  /** `NN_SUB_UNSUBSCRIBE`: remove one subscription to this topic. */
  unsubscribe: Uint8Array | string;
}

/**
 * A SUB socket.
 *
 * @example Usage
 * ```ts
 * import { openSocket } from "@sp/nanomsg";
 * await using pub = openSocket("pub");
 * await using sub = openSocket("sub");
 * sub.subscribe("weather.");
 * sub.connect((await pub.listen("inproc://sub-socket-doc")).url);
 * await pub.waitForPeers(1);
 * await pub.send("news.sports 2-1");
 * await pub.send("weather.today sunny");
 * console.log(new TextDecoder().decode(await sub.recv())); // "weather.today sunny"
 * ```
 */
export class SubSocket extends Socket<SubOptions> {
  /**
   * Receives messages whose body starts with `topic` too. Subscriptions
   * are counted: subscribing twice needs two `unsubscribe`s (nanomsg's).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using sub = openSocket("sub");
   * sub.subscribe(""); // everything
   * ```
   *
   * @param topic a prefix; a string stands for its UTF-8 bytes, "" for everything
   * @throws {SpError} EINVAL for a topic of another type, EBADF when closed
   */
  subscribe(topic: Uint8Array | string): void {
    this.setOption("subscribe", topic);
  }

  /**
   * Removes one subscription to `topic`; one that was never made is
   * ignored (nanomsg's).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using sub = openSocket("sub");
   * sub.subscribe("a");
   * sub.unsubscribe("a");
   * ```
   *
   * @param topic the prefix subscribed to
   * @throws {SpError} EINVAL for a topic of another type, EBADF when closed
   */
  unsubscribe(topic: Uint8Array | string): void {
    this.setOption("unsubscribe", topic);
  }

  /**
   * Opens a context (nng's): a receiver with subscriptions of its own
   * (`context.setOption("subscribe", topic)`), which gets its own copy of
   * every message that matches them, whatever the socket and the other
   * contexts subscribe to. While contexts are open, messages are read as
   * they arrive and each receiver (the socket too) keeps at most 128; one
   * that falls behind loses its oldest (counted as `queue-full` drops).
   *
   * @example Usage
   * ```ts
   * import { openSocket } from "@sp/nanomsg";
   * await using pub = openSocket("pub");
   * await using sub = openSocket("sub");
   * using weather = sub.openContext();
   * using sports = sub.openContext();
   * weather.setOption("subscribe", "weather.");
   * sports.setOption("subscribe", "sports.");
   * sub.connect((await pub.listen("inproc://sub-context-doc")).url);
   * await pub.waitForPeers(1);
   * await pub.send("sports. 2-1");
   * await pub.send("weather. sunny");
   * console.log(new TextDecoder().decode(await weather.recv())); // "weather. sunny"
   * console.log(new TextDecoder().decode(await sports.recv())); // "sports. 2-1"
   * ```
   *
   * @returns the open context
   * @throws {SpError} ENOTSUP on a raw socket, EBADF when the socket is closed
   */
  openContext(): Context<SubOptions> {
    return this.newContext<SubOptions>();
  }
}
