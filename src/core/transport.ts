/**
 * The transport plug-in interface: a transport listens and dials, and each
 * connection it makes exchanges protocol identities and then carries whole
 * SP messages (SP header ++ body). A byte-stream transport frames them; a
 * message-oriented one (WebSocket) maps one SP message to one of its own.
 *
 * @module
 */

import { SpError } from "./errors.ts";

/**
 * Settings of one endpoint that only its transport understands (say, TLS
 * certificates), as given to `bind(url, options)` or `connect(url,
 * options)`. The transport checks them; an unknown name is EINVAL.
 */
export type EndpointOptions = { readonly [name: string]: unknown };

/** Per-endpoint settings a transport reads, captured at bind/connect time. */
export interface TransportOptions {
  /** Largest payload accepted from the peer in bytes; -1 is unlimited. */
  readonly recvMaxSize: number;
  /** Whether IPv6 addresses are refused. */
  readonly ipv4only: boolean;
  /** Whether to disable Nagle's algorithm on tcp. */
  readonly tcpNoDelay: boolean;
  /** Whether connections over tcp (tcp, tls+tcp, ws, wss) look for dead peers (keepalive probes, stalled writes). */
  readonly tcpKeepAlive: boolean;
  /** The endpoint's own settings, for the transport to read. */
  readonly endpoint: EndpointOptions;
}

/**
 * Checks that an endpoint's settings name only what a transport knows.
 *
 * @example Usage
 * ```ts
 * import { checkEndpointOptions } from "@sp/nanomsg";
 * checkEndpointOptions("tcp", {}, []); // fine
 * try {
 *   checkEndpointOptions("tcp", { tls: {} }, []);
 * } catch (err) {
 *   console.log((err as Error).message); // "tcp:// takes no endpoint option tls"
 * }
 * ```
 *
 * @param scheme the transport's scheme, for the message
 * @param options the settings given to bind or connect
 * @param known the names the transport reads
 * @throws {SpError} EINVAL for a name the transport does not know
 */
export function checkEndpointOptions(scheme: string, options: EndpointOptions, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const hint = known.length === 0 ? "" : ` (it knows ${known.join(", ")})`;
    throw new SpError("EINVAL", `${scheme}:// takes no endpoint option ${name}${hint}`);
  }
}

/** Where a connection reports what it receives; set once by `start()`. */
export interface ConnectionSink {
  /** One whole payload from the peer. */
  message(payload: Uint8Array): void;
  /** Outbound bytes were written; `pendingBytes` went down. */
  drained(): void;
  /** The connection ended; `reason` is set when it ended on an error. */
  closed(reason?: SpError): void;
}

/** One established transport connection: the data path of a pipe. */
export interface Connection {
  /** A human-readable description, e.g. `tcp 127.0.0.1:5555`. */
  readonly description: string;
  /** Our side's address as the transport writes it (`127.0.0.1:5555`, a path, a name), when it has one. */
  readonly localAddress?: string;
  /** The peer's address, when the transport knows it. */
  readonly remoteAddress?: string;
  /** Outbound bytes accepted by `send()` and not yet written. */
  readonly pendingBytes: number;
  /**
   * Announces `selfProtocol` to the peer and resolves with the peer's
   * protocol id; rejects (EPROTO) on a malformed greeting or a closed
   * connection. The caller bounds it with `signal`.
   */
  handshake(selfProtocol: number, signal: AbortSignal): Promise<number>;
  /** Starts delivering payloads to `sink`; called once, after the handshake. */
  start(sink: ConnectionSink): void;
  /**
   * Queues one message: `header` (the SP protocol header, if any) then
   * `body`, as one payload. Writes issued in the same tick leave together.
   * The caller may change `header`, and a `body` shorter than
   * `SEND_COPY_MIN`, once this returns: keep them past the call only as
   * copies (larger bodies are the socket's own copy).
   */
  send(body: Uint8Array, header?: Uint8Array): void;
  /** Stops reading from the peer (receive back-pressure). */
  pause(): void;
  /** Resumes reading after `pause()`. */
  resume(): void;
  /** Closes at once; pending outbound bytes are dropped. */
  close(): void;
}

/** A bound address that accepts connections. */
export interface TransportListener {
  /**
   * The bound address as it goes after `scheme://`, e.g. `127.0.0.1:5555`:
   * with the port the system chose for port 0 (or the path chosen for an
   * address that asked for one), so that a peer can connect to it.
   */
  readonly address: string;
  /** Waits for the next connection; rejects once the listener is closed. */
  accept(): Promise<Connection>;
  /** Stops listening; resolves once the address is free to bind again. */
  close(): Promise<void>;
}

/**
 * A transport plug-in, registered under its URL scheme. Addresses passed in
 * are the part of the URL after `scheme://`.
 */
export interface Transport {
  /** The URL scheme, e.g. `"tcp"`. */
  readonly scheme: string;
  /**
   * Checks an address and the endpoint's settings without touching the
   * network, as nanomsg's `nn_bind` and `nn_connect` do before returning.
   *
   * @throws {SpError} EINVAL, ENODEV, ENAMETOOLONG …
   */
  checkAddress(address: string, mode: "bind" | "connect", options: TransportOptions): void;
  /** Binds the address. */
  listen(address: string, options: TransportOptions): Promise<TransportListener>;
  /** Connects to the address once; the dialer retries. */
  dial(address: string, options: TransportOptions, signal: AbortSignal): Promise<Connection>;
}
