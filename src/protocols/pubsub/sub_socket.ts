/**
 * The SUB socket users get from `openSocket("sub")`: `subscribe(topic)`
 * and `unsubscribe(topic)`, and the same as options by name
 * (`setOption("subscribe", topic)`), besides nanomsg's `setsockopt`.
 *
 * @module
 */

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
}
