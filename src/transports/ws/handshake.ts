/**
 * The SP-over-WebSocket opening handshake (sp-websocket-mapping-01 on top
 * of RFC 6455 §4): the client asks for the server's SP protocol as the
 * subprotocol `<name>.sp.nanomsg.org` and the server echoes it or answers
 * 400. No SP header follows: the subprotocol is the protocol exchange.
 *
 * Facts checked against nanocat and nngcat: nng serves exact paths only
 * (404 otherwise) while nanomsg ignores the path; nanomsg treats a missing
 * subprotocol as PAIR; nng's dialer requires the echoed subprotocol;
 * nanocat answers a wrong subprotocol with a 400 it never finishes, so the
 * head of a response is read under the handshake timeout, with a size cap.
 *
 * @module
 */

import { SpError } from "../../core/errors.ts";

/** The GUID RFC 6455 §1.3 appends to the client's key. */
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** An HTTP head longer than this is refused (nng allows 8 KiB of headers too). */
export const HTTP_HEAD_MAX = 8 * 1024;

/** SP protocol ids and the names their subprotocols use (nanomsg's and nng's table). */
const SP_NAMES: ReadonlyMap<number, string> = new Map([
  [0x10, "pair"],
  [0x11, "pair1"],
  [0x20, "pub"],
  [0x21, "sub"],
  [0x30, "req"],
  [0x31, "rep"],
  [0x50, "push"],
  [0x51, "pull"],
  [0x62, "surveyor"],
  [0x63, "respondent"],
  [0x70, "bus"],
]);

/** Each SP protocol's peer. */
const SP_PEERS: ReadonlyMap<number, number> = new Map([
  [0x10, 0x10],
  [0x11, 0x11],
  [0x20, 0x21],
  [0x21, 0x20],
  [0x30, 0x31],
  [0x31, 0x30],
  [0x50, 0x51],
  [0x51, 0x50],
  [0x62, 0x63],
  [0x63, 0x62],
  [0x70, 0x70],
]);

/**
 * The subprotocol token of an SP protocol, e.g. `rep.sp.nanomsg.org`.
 *
 * @example Usage
 * ```ts
 * import { subprotocol } from "./handshake.ts";
 * console.log(subprotocol(0x31)); // "rep.sp.nanomsg.org"
 * ```
 *
 * @throws {SpError} EPROTO for a protocol the mapping has no name for
 */
export function subprotocol(protocol: number): string {
  const name = SP_NAMES.get(protocol);
  if (name === undefined) {
    throw new SpError("EPROTO", `protocol 0x${protocol.toString(16)} has no WebSocket subprotocol name`);
  }
  return `${name}.sp.nanomsg.org`;
}

/**
 * The peer of an SP protocol (REQ → REP …).
 *
 * @example Usage
 * ```ts
 * import { peerOf } from "./handshake.ts";
 * console.log(peerOf(0x30).toString(16)); // "31"
 * ```
 *
 * @throws {SpError} EPROTO for an unknown protocol
 */
export function peerOf(protocol: number): number {
  const peer = SP_PEERS.get(protocol);
  if (peer === undefined) throw new SpError("EPROTO", `protocol 0x${protocol.toString(16)} has no known peer`);
  return peer;
}

/** A parsed HTTP head: the start line and the headers, names in lower case. */
export interface HttpHead {
  /** `GET /path HTTP/1.1` or `HTTP/1.1 101 Switching Protocols`. */
  readonly startLine: string;
  /** Header values by lower-case name; repeated headers are joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
}

/**
 * Finds the end of an HTTP head (the blank line) in `bytes`.
 *
 * @returns the offset just after `\r\n\r\n`, or -1 when it has not arrived
 * @throws {SpError} EPROTO when no blank line came within HTTP_HEAD_MAX bytes
 */
export function headEnd(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length, HTTP_HEAD_MAX);
  for (let i = 3; i < limit; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  if (bytes.length >= HTTP_HEAD_MAX) throw new SpError("EPROTO", `HTTP head longer than ${HTTP_HEAD_MAX} bytes`);
  return -1;
}

/**
 * Parses an HTTP head (without the final blank line's bytes mattering).
 *
 * @example Usage
 * ```ts
 * import { parseHttpHead } from "./handshake.ts";
 * const head = parseHttpHead(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
 * console.log(head.headers.get("host")); // "x"
 * ```
 *
 * @throws {SpError} EPROTO for a malformed head
 */
export function parseHttpHead(bytes: Uint8Array): HttpHead {
  const text = new TextDecoder("latin1").decode(bytes);
  const lines = text.split("\r\n");
  const startLine = lines[0] ?? "";
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new SpError("EPROTO", `malformed HTTP header line ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return { startLine, headers };
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(",").some((part) => part.trim().toLowerCase() === token);
}

/** `Sec-WebSocket-Accept` for a client key: base64(SHA-1(key ++ GUID)). */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + WEBSOCKET_GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** A fresh random `Sec-WebSocket-Key`. */
export function newClientKey(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/** The opening request of a client. */
export function upgradeRequest(host: string, target: string, key: string, protocol: string): Uint8Array {
  return new TextEncoder().encode(
    `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
}

/** What a server learns from a valid upgrade request. */
export interface UpgradeRequest {
  /** The request path without its query, e.g. `/` or `/chat`. */
  readonly path: string;
  /** The client's `Sec-WebSocket-Key`. */
  readonly key: string;
  /** The subprotocols offered, in order. */
  readonly protocols: readonly string[];
}

/** A request the server refuses, with the HTTP status to answer. */
export class UpgradeRefused extends SpError {
  /** The status code to send, e.g. 400. */
  readonly status: number;

  /**
   * @param status the HTTP status
   * @param message why
   */
  constructor(status: number, message: string) {
    super("EPROTO", message);
    this.status = status;
  }
}

/**
 * Checks a client's request (RFC 6455 §4.2.1).
 *
 * @throws {UpgradeRefused} with the status to answer
 */
export function checkUpgradeRequest(head: HttpHead): UpgradeRequest {
  const [method, target, version] = head.startLine.split(" ");
  if (method !== "GET" || target === undefined || version === undefined || !version.startsWith("HTTP/1.")) {
    throw new UpgradeRefused(400, `not a WebSocket upgrade: ${JSON.stringify(head.startLine.slice(0, 60))}`);
  }
  const h = head.headers;
  if (!hasToken(h.get("upgrade"), "websocket") || !hasToken(h.get("connection"), "upgrade")) {
    throw new UpgradeRefused(400, "request lacks Upgrade: websocket / Connection: Upgrade");
  }
  if (h.get("sec-websocket-version") !== "13") {
    throw new UpgradeRefused(426, `unsupported Sec-WebSocket-Version ${h.get("sec-websocket-version")}`);
  }
  const key = h.get("sec-websocket-key");
  if (key === undefined || key === "") throw new UpgradeRefused(400, "request lacks Sec-WebSocket-Key");
  const query = target.indexOf("?");
  const path = query < 0 ? target : target.slice(0, query);
  const offered = h.get("sec-websocket-protocol");
  const protocols = offered === undefined ? [] : offered.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return { path: path === "" ? "/" : path, key, protocols };
}

/**
 * Picks the subprotocol a server of `selfProtocol` answers with.
 *
 * @returns the token to echo, or "" when the client offered none and we are PAIR (nanomsg's rule)
 * @throws {UpgradeRefused} 400 when the client asked for another protocol
 */
export function chooseSubprotocol(request: UpgradeRequest, selfProtocol: number): string {
  const ours = subprotocol(selfProtocol);
  if (request.protocols.includes(ours)) return ours;
  if (request.protocols.length === 0 && selfProtocol === 0x10) return "";
  throw new UpgradeRefused(
    400,
    `client asked for ${request.protocols.join(", ") || "no subprotocol"}; this socket speaks ${ours}`,
  );
}

/** The server's 101 answer. */
export async function upgradeResponse(key: string, protocol: string): Promise<Uint8Array> {
  const echo = protocol === "" ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  return new TextEncoder().encode(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Accept: ${await acceptKey(key)}\r\n${echo}\r\n`,
  );
}

const REASONS: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 426: "Upgrade Required" };

/** A complete refusal (the connection closes after it). */
export function refusalResponse(status: number): Uint8Array {
  const extra = status === 426 ? "Sec-WebSocket-Version: 13\r\n" : "";
  return new TextEncoder().encode(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`,
  );
}

/**
 * Checks the server's answer to our request (RFC 6455 §4.1, and nng's
 * rule that the subprotocol must be echoed).
 *
 * @throws {SpError} EPROTO when the server refused or answered wrongly
 */
export async function checkUpgradeResponse(head: HttpHead, key: string, protocol: string): Promise<void> {
  const [version, status] = head.startLine.split(" ");
  if (version === undefined || !version.startsWith("HTTP/1.") || status !== "101") {
    throw new SpError("EPROTO", `server refused the upgrade: ${JSON.stringify(head.startLine.slice(0, 80))}`);
  }
  const h = head.headers;
  if (!hasToken(h.get("upgrade"), "websocket") || !hasToken(h.get("connection"), "upgrade")) {
    throw new SpError("EPROTO", "server's 101 lacks Upgrade: websocket / Connection: Upgrade");
  }
  if (h.get("sec-websocket-accept") !== await acceptKey(key)) {
    throw new SpError("EPROTO", "server's Sec-WebSocket-Accept does not match our key");
  }
  if (h.get("sec-websocket-protocol") !== protocol) {
    throw new SpError(
      "EPROTO",
      `server answered subprotocol ${h.get("sec-websocket-protocol") ?? "(none)"}, we asked for ${protocol}`,
    );
  }
}
