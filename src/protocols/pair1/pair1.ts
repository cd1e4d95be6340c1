/**
 * PAIR v1 (nng's `pair1`, id 0x11): PAIR with a hop count in front of
 * every message, so that messages looping through raw forwarders die
 * after `NN_MAXTTL` hops (sp-spec.md §2.3). Talks only to PAIR v1 peers:
 * a PAIR v0 (0x10) peer is refused at the SP handshake, as nng and
 * nanomsg refuse us.
 *
 * - The wire header is one u32 big-endian hop count (`hop_count.ts`): a
 *   cooked send puts 1 there, a raw send the header's count plus 1.
 * - Received messages shorter than the header or counting more than 0xFF
 *   hops are malformed, and ones counting more than `NN_MAXTTL` (default
 *   8) have gone too far: both are dropped, when they are taken from
 *   their pipe, and counted in `stats.messagesDropped`; the connection
 *   stays (nng closes it for malformed ones). Our `NN_MAXTTL` goes up to 255; nng's `ttl-max`
 *   stops at 15.
 * - `recvmsg()` returns the hop count as it arrived as the header, and the
 *   pipe it came from as `pipe` (`PipeHandle.id`), cooked or raw, as nng's
 *   `nng_recvmsg` does.
 * - Cooked `sendmsg()` ignores any header and puts a fresh hop count in
 *   its place, so a received message can be sent back as it is (nng does
 *   the same). Raw `sendmsg()` needs exactly a 4-byte header counting less
 *   than 0xFF (EINVAL otherwise; nng says EPROTO), and raw `send()`, which
 *   has no header, is EINVAL.
 *
 * Monogamous (the default): one peer at a time, a second connection is
 * refused while the first lasts; a send waits while there is no peer or
 * it cannot take more.
 *
 * Polyamorous (`NN_PAIR1_POLY` = 1 at level `NN_PAIR1`, or
 * `setOption("poly", 1)`, cooked sockets only, before the first
 * connection): any number of peers, and
 * `sendmsg({ body, pipe })` picks the one; see `PolyPeers` in `peers.ts`
 * for the rules (nng's: best effort, drops counted). nng 1.5.2 offers the
 * mode only as `nng_pair1_open_poly()`: its `pair1:polyamorous` option
 * is read-only (true) on such a socket and `NNG_ENOTSUP` on other pair1
 * sockets; older nng let it be set before the first connection, as here.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";
import type { Message } from "../../core/message.ts";
import type { PipeHandle, Protocol, ProtocolHost, ProtocolSpec } from "../../core/protocol.ts";
import type { Socket } from "../../core/socket.ts";
import { FairQueue } from "../../routing/fair_queue.ts";
import { HOP_COUNT_SIZE, hopCountHeader, MAX_HOP_COUNT, readHopCount, splitHopCount } from "./hop_count.ts";
import { MonoPeer, type Pair1Peers, PolyPeers } from "./peers.ts";

/** PAIR v1's SP id; PAIR v1 peers with itself. */
export const NN_PAIR1 = 0x11;

/**
 * `NN_PAIR1_POLY` at level `NN_PAIR1`: 1 for polyamorous mode, 0 (the
 * default) for monogamous; nng's `pair1:polyamorous`. Settable on cooked
 * sockets before their first connection.
 */
export const NN_PAIR1_POLY = 1;

/** What a cooked send puts on the wire: we are the first hop. */
const FIRST_HOP: Uint8Array = hopCountHeader(1);

class Pair1 implements Protocol {
  readonly #host: ProtocolHost;
  // Receiving goes through a fair queue so that messages a departed peer
  // sent before it left are still delivered, and several peers take turns.
  readonly #inbound = new FairQueue();
  #peers: Pair1Peers = new MonoPeer();
  #poly = false;
  #connected = false;
  /** A message `readyToRecv()` found, delivered next. */
  #held: Message | undefined;

  constructor(host: ProtocolHost) {
    this.#host = host;
  }

  get pending(): boolean {
    return false;
  }

  addPipe(pipe: PipeHandle): boolean {
    if (!this.#peers.add(pipe)) return false;
    this.#connected = true;
    this.#inbound.add(pipe);
    return true;
  }

  removePipe(pipe: PipeHandle): void {
    this.#peers.remove(pipe);
    this.#inbound.remove(pipe);
  }

  pipeReadable(pipe: PipeHandle): void {
    this.#inbound.readable(pipe);
    this.#host.readable();
  }

  pipeWritable(): void {
    this.#host.writable();
  }

  /** @throws {SpError} EINVAL on a raw socket, which needs a header */
  trySend(body: Uint8Array): boolean {
    if (this.#host.raw) {
      throw new SpError("EINVAL", "raw PAIR v1 messages need a 4-byte hop-count header: use sendmsg()");
    }
    return this.#route(FIRST_HOP, body, undefined);
  }

  checkMessage(message: Message): void {
    const { header, pipe } = message;
    if (pipe !== undefined && !(Number.isSafeInteger(pipe) && pipe > 0)) {
      throw new SpError("EINVAL", `a pipe id is a positive integer, not ${pipe}`);
    }
    if (!this.#host.raw) return;
    if (header.length !== HOP_COUNT_SIZE) {
      throw new SpError("EINVAL", `a raw PAIR v1 header is a 4-byte hop count, not ${header.length} bytes`);
    }
    const hops = readHopCount(header);
    if (hops >= MAX_HOP_COUNT) {
      throw new SpError("EINVAL", `a raw PAIR v1 message may have made at most ${MAX_HOP_COUNT - 1} hops, not ${hops}`);
    }
  }

  trySendMsg(message: Message): boolean {
    const header = this.#host.raw ? hopCountHeader(readHopCount(message.header) + 1) : FIRST_HOP;
    return this.#route(header, message.body, message.pipe);
  }

  tryRecv(): Uint8Array | undefined {
    return this.#next()?.body;
  }

  tryRecvMsg(): Message | undefined {
    return this.#next();
  }

  setOption(option: number, value: unknown): void {
    if (option !== NN_PAIR1_POLY) throw new SpError("ENOPROTOOPT", `PAIR v1 has no option ${option}`);
    if (value !== 0 && value !== 1) throw new SpError("EINVAL", `NN_PAIR1_POLY is 0 or 1, not ${String(value)}`);
    const poly = value === 1;
    if (poly === this.#poly) return;
    if (this.#host.raw) throw new SpError("ENOTSUP", "polyamorous mode is for cooked PAIR v1 sockets only (as in nng)");
    if (this.#connected) throw new SpError("EFSM", "NN_PAIR1_POLY must be set before the first connection");
    this.#poly = poly;
    this.#peers = poly ? new PolyPeers() : new MonoPeer();
  }

  getOption(option: number): number {
    if (option !== NN_PAIR1_POLY) throw new SpError("ENOPROTOOPT", `PAIR v1 has no option ${option}`);
    return this.#poly ? 1 : 0;
  }

  /** Whether a send without a pipe named would go now (not wait for a peer). */
  readyToSend(): boolean {
    return this.#peers.route(undefined) !== "wait";
  }

  /** Whether a well-formed message is waiting (bad ones are dropped on the way, as a receive would). */
  readyToRecv(): boolean {
    this.#held ??= this.#next();
    return this.#held !== undefined;
  }

  #route(header: Uint8Array, body: Uint8Array, pipeId: number | undefined): boolean {
    const route = this.#peers.route(pipeId);
    if (route === "wait") return false;
    if (route === "no-peer" || route === "slow-peer") this.#host.dropped(route);
    else route.send(body, header);
    return true;
  }

  /** The next well-formed message that has not gone too far, dropping the others. */
  #next(): Message | undefined {
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      return held;
    }
    for (;;) {
      const payload = this.#inbound.recv();
      if (payload === undefined) return undefined;
      const message = splitHopCount(payload);
      if (message === undefined || message.hops > this.#host.options.maxttl) {
        this.#host.dropped(message === undefined ? "malformed" : "ttl", this.#inbound.lastPipe);
        continue;
      }
      return { header: message.header, body: message.body, pipe: this.#inbound.lastPipe!.id };
    }
  }
}

/**
 * The PAIR v1 protocol, to register on a runtime. Its option
 * `NN_PAIR1_POLY` is also `poly` by name (`Pair1Socket`).
 *
 * @example Usage
 * ```ts
 * import { pair1Protocol } from "@sp/nanomsg";
 * console.log(pair1Protocol.id); // 17
 * ```
 */
export const pair1Protocol: ProtocolSpec = {
  name: "pair1",
  id: NN_PAIR1,
  peerId: NN_PAIR1,
  canSend: true,
  canRecv: true,
  options: { poly: NN_PAIR1_POLY },
  create: (host) => new Pair1(host),
};

/** PAIR v1's options by name. */
export interface Pair1Options {
  /** `NN_PAIR1_POLY`: 1 for polyamorous mode (before the first connection), 0 (the default) for one peer. */
  poly: number;
}

/** A PAIR v1 socket: PAIR v1's option `poly` by name besides the generic ones. */
export type Pair1Socket = Socket<Pair1Options>;
