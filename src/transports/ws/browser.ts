/**
 * `ws://` and `wss://` dialers for browsers, over the WebSocket API (the
 * only way a page can open one). The page cannot listen, so binding is
 * ENOTSUP. What the API imposes: each message goes out as one frame (nng
 * refuses frames over 1 MiB, so larger messages reach nanomsg and our own
 * listeners only); `send()` never blocks, so back-pressure is `bufferedAmount`
 * polled against SNDBUF; reading cannot be paused; RCVMAXSIZE is checked on
 * each whole message the browser has already assembled.
 *
 * @module
 */

import { type Clock, systemClock, type TimerId } from "../../core/clock.ts";
import { SpError } from "../../core/errors.ts";
import { checkEndpointOptions, type Connection, type ConnectionSink, type Transport } from "../../core/transport.ts";
import { parseWsAddress } from "./address.ts";
import { peerOf, subprotocol } from "./handshake.ts";

/** How often `bufferedAmount` is polled while data waits to go out, ms. */
const DRAIN_POLL_MS = 2;

/** One SP connection over a browser `WebSocket`. */
class BrowserWsConnection implements Connection {
  readonly description: string;
  readonly #url: string;
  readonly #maxSize: number;
  readonly #clock: Clock;
  #ws: WebSocket | undefined;
  #sink: ConnectionSink | undefined;
  #early: Uint8Array[] = [];
  #closed = false;
  #closeReason: SpError | undefined;
  #drainTimer: TimerId | undefined;
  #lastBuffered = 0;

  constructor(url: string, maxSize: number, clock: Clock) {
    this.#url = url;
    this.description = url;
    this.#maxSize = maxSize;
    this.#clock = clock;
  }

  get pendingBytes(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  handshake(selfProtocol: number, signal: AbortSignal): Promise<number> {
    let protocol: string;
    try {
      protocol = subprotocol(peerOf(selfProtocol));
    } catch (err) {
      return Promise.reject(err);
    }
    const ws = new WebSocket(this.#url, [protocol]);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const fail = (reason: SpError) => {
        signal.removeEventListener("abort", onAbort);
        this.#shutdown(reason);
        reject(reason);
      };
      const onAbort = () => fail(new SpError("ETIMEDOUT", `${this.#url}: WebSocket handshake timed out`));
      signal.addEventListener("abort", onAbort, { once: true });
      ws.onerror = () => fail(new SpError("ECONNREFUSED", `${this.#url}: the WebSocket could not be opened`));
      ws.onclose = (event) => fail(new SpError("ECONNREFUSED", `${this.#url}: closed while opening (${event.code})`));
      ws.onopen = () => {
        signal.removeEventListener("abort", onAbort);
        if (ws.protocol !== protocol) {
          fail(new SpError("EPROTO", `${this.#url}: server answered subprotocol "${ws.protocol}", not ${protocol}`));
          return;
        }
        ws.onerror = null;
        ws.onclose = (event) =>
          this.#shutdown(
            event.code === 1000 || event.code === 1005
              ? undefined
              : new SpError("ECONNRESET", `${this.#url}: connection lost (${event.code})`),
          );
        ws.onmessage = (event) => this.#received(event.data);
        resolve(peerOf(selfProtocol));
      };
    });
  }

  start(sink: ConnectionSink): void {
    this.#sink = sink;
    for (const payload of this.#early) sink.message(payload);
    this.#early = [];
    if (this.#closed) sink.closed(this.#closeReason);
  }

  send(body: Uint8Array, header?: Uint8Array): void {
    const ws = this.#ws;
    if (this.#closed || ws === undefined) return;
    if (header === undefined || header.length === 0) {
      ws.send(body as Uint8Array<ArrayBuffer>);
    } else {
      const whole = new Uint8Array(header.length + body.length);
      whole.set(header);
      whole.set(body, header.length);
      ws.send(whole);
    }
    this.#watchDrain();
  }

  pause(): void {
    // The WebSocket API cannot stop reading; messages keep arriving.
  }

  resume(): void {}

  close(): void {
    this.#shutdown(undefined);
  }

  #received(data: unknown): void {
    if (this.#closed) return;
    const payload = data instanceof ArrayBuffer ? new Uint8Array(data) : new TextEncoder().encode(String(data));
    if (this.#maxSize >= 0 && payload.length > this.#maxSize) {
      this.#shutdown(
        new SpError("EMSGSIZE", `${this.#url}: ${payload.length}-byte message; the limit is ${this.#maxSize}`),
      );
      return;
    }
    if (this.#sink !== undefined) this.#sink.message(payload);
    else this.#early.push(payload);
  }

  /** Polls `bufferedAmount` while bytes wait, telling the pipe each time it went down. */
  #watchDrain(): void {
    if (this.#drainTimer !== undefined) return;
    this.#lastBuffered = this.pendingBytes;
    const poll = () => {
      this.#drainTimer = undefined;
      if (this.#closed) return;
      const now = this.pendingBytes;
      if (now < this.#lastBuffered) this.#sink?.drained();
      this.#lastBuffered = now;
      if (now > 0) this.#drainTimer = this.#clock.setTimeout(poll, DRAIN_POLL_MS);
    };
    this.#drainTimer = this.#clock.setTimeout(poll, this.pendingBytes > 0 ? DRAIN_POLL_MS : 0);
  }

  #shutdown(reason: SpError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    if (this.#drainTimer !== undefined) this.#clock.clearTimeout(this.#drainTimer);
    const ws = this.#ws;
    if (ws !== undefined) {
      ws.onopen =
        ws.onmessage =
        ws.onerror =
        ws.onclose =
          null;
      try {
        ws.close(1000);
      } catch { /* closing already */ }
    }
    this.#sink?.closed(reason);
  }
}

/** Settings of the browser transports. */
export interface BrowserWsOptions {
  /** The clock `bufferedAmount` is polled with. */
  clock?: Clock;
}

function createTransport(secure: boolean, options: BrowserWsOptions): Transport {
  const scheme = secure ? "wss" : "ws";
  const clock = options.clock ?? systemClock;
  return {
    scheme,
    checkAddress(address, mode, options) {
      checkEndpointOptions(scheme, options.endpoint, []);
      if (mode === "bind") throw new SpError("ENOTSUP", `a browser cannot listen: ${scheme}:// only connects here`);
      parseWsAddress(address, mode, options.ipv4only, secure);
    },
    listen() {
      return Promise.reject(new SpError("ENOTSUP", `a browser cannot listen on ${scheme}://`));
    },
    dial(address, options) {
      const { hostHeader, target } = parseWsAddress(address, "connect", options.ipv4only, secure);
      return Promise.resolve(new BrowserWsConnection(`${scheme}://${hostHeader}${target}`, options.recvMaxSize, clock));
    },
  };
}

/**
 * The `ws://` dialer over the WebSocket API.
 *
 * @example Usage
 * ```ts
 * import { createBrowserWsTransport } from "./browser.ts";
 * console.log(createBrowserWsTransport().scheme); // "ws"
 * ```
 *
 * @param options the clock for back-pressure polling
 * @returns the transport, to register on a runtime
 */
export function createBrowserWsTransport(options: BrowserWsOptions = {}): Transport {
  return createTransport(false, options);
}

/**
 * The `wss://` dialer over the WebSocket API (the browser does TLS).
 *
 * @example Usage
 * ```ts
 * import { createBrowserWssTransport } from "./browser.ts";
 * console.log(createBrowserWssTransport().scheme); // "wss"
 * ```
 *
 * @param options the clock for back-pressure polling
 * @returns the transport, to register on a runtime
 */
export function createBrowserWssTransport(options: BrowserWsOptions = {}): Transport {
  return createTransport(true, options);
}
