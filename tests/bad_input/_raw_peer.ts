/**
 * A raw, hostile SP peer for the bad-input tests: plain Deno tcp or unix
 * connections that write arbitrary bytes to our sockets (or accept our
 * dialers) and record what comes back and whether, and when, the
 * connection was closed. Also the encoders for headers and frames, which
 * are written here from the wire description in sp-spec.md §1, not taken
 * from the library, so a bug there cannot hide in both.
 *
 * @module
 */

import { freePort, tempIpcPath, within } from "../_helpers.ts";

/** The byte-stream mappings under test. */
export type StreamKind = "tcp" | "ipc";

/** Both stream mappings, for tests that run on each. */
export const STREAM_KINDS: readonly StreamKind[] = ["tcp", "ipc"];

/** A fresh address of one mapping: the SP url and where it is. */
export interface RawAddress {
  readonly kind: StreamKind;
  /** `tcp://127.0.0.1:port` or `ipc:///tmp/…`. */
  readonly url: string;
  /** The tcp port on 127.0.0.1 (tcp only). */
  readonly port?: number;
  /** The unix socket path (ipc only). */
  readonly path?: string;
}

/** A new, unused address for `kind`. */
export function freshAddress(kind: StreamKind): RawAddress {
  if (kind === "tcp") {
    const port = freePort();
    return { kind, url: `tcp://127.0.0.1:${port}`, port };
  }
  const path = tempIpcPath("bad");
  return { kind, url: `ipc://${path}`, path };
}

/** Opens a plain stream connection to `address`. */
function connect(address: RawAddress): Promise<Deno.Conn> {
  return address.kind === "tcp"
    ? Deno.connect({ hostname: "127.0.0.1", port: address.port! })
    : Deno.connect({ transport: "unix", path: address.path! });
}

/** Listens on `address` with a plain Deno listener. */
function listen(address: RawAddress): Deno.Listener {
  return address.kind === "tcp"
    ? Deno.listen({ hostname: "127.0.0.1", port: address.port! })
    : Deno.listen({ transport: "unix", path: address.path! });
}

// ---------------------------------------------------------------------------
// Encoders (sp-spec.md §1.1–1.3)

/** SP protocol ids used by the tests. */
export const PROTO = { pair: 0x10, req: 0x30, push: 0x50, pull: 0x51 } as const;

/**
 * The 8-byte SP header announcing `protocol`; `patch` overwrites single
 * bytes by offset, to make it wrong in exactly one place.
 */
export function spHeader(protocol: number, patch: Readonly<Record<number, number>> = {}): Uint8Array {
  const bytes = new Uint8Array([0x00, 0x53, 0x50, 0x00, protocol >> 8, protocol & 0xff, 0x00, 0x00]);
  for (const [offset, value] of Object.entries(patch)) bytes[Number(offset)] = value;
  return bytes;
}

/**
 * The prefix of one frame: on ipc the type byte, then the u64 big-endian
 * length. `length` is a bigint so lengths above 2^53 are exact.
 */
export function lengthPrefix(kind: StreamKind, length: bigint | number, typeByte = 0x01): Uint8Array {
  const size = kind === "ipc" ? 9 : 8;
  const bytes = new Uint8Array(size);
  if (kind === "ipc") bytes[0] = typeByte;
  new DataView(bytes.buffer).setBigUint64(size - 8, BigInt(length));
  return bytes;
}

/** One whole frame carrying `payload` (strings as UTF-8). */
export function frame(kind: StreamKind, payload: Uint8Array | string, typeByte = 0x01): Uint8Array {
  const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return concat(lengthPrefix(kind, body.length, typeByte), body);
}

/** The byte strings joined into one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `n` bytes of a recognisable pattern (byte i is `(i * 7 + seed) & 0xff`). */
export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

// ---------------------------------------------------------------------------
// Connections

/**
 * One raw connection. A background reader starts at once, so whatever our
 * socket writes is collected and its closing the connection is noticed
 * even while the test is busy writing.
 */
export class RawConn {
  /** Set once the other side closed (EOF) or reset the connection. */
  closed = false;
  /** When `closed` became true (performance.now()). */
  closedAt = 0;
  /** The read error when the connection was reset rather than shut. */
  resetError: Error | undefined;

  readonly #conn: Deno.Conn;
  readonly #chunks: Uint8Array[] = [];
  readonly #reader: Promise<void>;
  #closedByUs = false;

  /** @param conn a connected Deno stream; this object owns it from now on */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#reader = this.#readLoop();
  }

  /** Connects to `address` and wraps the connection. */
  static async dial(address: RawAddress): Promise<RawConn> {
    return new RawConn(await connect(address));
  }

  /** Everything received so far. */
  get received(): Uint8Array {
    return concat(...this.#chunks);
  }

  /**
   * Writes all of `bytes`. Resolves false instead of throwing when the
   * other side has already gone (EPIPE/ECONNRESET): a hostile peer does not
   * care, and tests assert on `closed` instead.
   */
  async write(bytes: Uint8Array): Promise<boolean> {
    try {
      let off = 0;
      while (off < bytes.length) off += await this.#conn.write(bytes.subarray(off));
      return true;
    } catch (err) {
      if (this.#closedByUs) throw err;
      return false;
    }
  }

  /**
   * Writes `bytes` as separate writes of the given sizes (cycled), waiting
   * for each to be accepted by the kernel, and optionally `delayMs` between
   * them so the receiver sees separate reads.
   */
  async writeInPieces(bytes: Uint8Array, sizes: readonly number[], delayMs = 0): Promise<boolean> {
    let off = 0;
    for (let i = 0; off < bytes.length; i++) {
      const size = sizes[i % sizes.length]!;
      if (!await this.write(bytes.subarray(off, off + size))) return false;
      off += size;
      if (delayMs > 0 && off < bytes.length) await new Promise((r) => setTimeout(r, delayMs));
    }
    return true;
  }

  /**
   * Half-closes: the other side reads EOF, while we can still see what it
   * does about that (close its end, which `waitClosed` observes).
   */
  async shutdownWrite(): Promise<void> {
    await this.#conn.closeWrite();
  }

  /** Resolves once the other side has closed the connection; fails after `ms`. */
  waitClosed(ms: number, label: string): Promise<void> {
    return within(this.#reader, ms, `${label}: the connection was not closed`);
  }

  /** Closes our end (idempotent) and waits for the reader to stop. */
  async close(): Promise<void> {
    if (!this.#closedByUs) {
      this.#closedByUs = true;
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    await this.#reader;
  }

  async #readLoop(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#chunks.push(buffer.slice(0, n));
      }
    } catch (err) {
      if (this.#closedByUs) return; // our own close() interrupted the read
      this.resetError = err as Error;
    }
    if (!this.#closedByUs) {
      this.closed = true;
      this.closedAt = performance.now();
    }
  }
}

/** A raw listener that our dialing sockets connect to. */
export class RawListener {
  /** How many connections have been accepted. */
  accepted = 0;
  readonly address: RawAddress;
  readonly #listener: Deno.Listener;
  readonly #conns: RawConn[] = [];

  /** Listens on a fresh address of `kind`. */
  constructor(kind: StreamKind) {
    this.address = freshAddress(kind);
    this.#listener = listen(this.address);
  }

  /** The next connection; fails after `ms`. */
  async accept(ms: number, label: string): Promise<RawConn> {
    const conn = new RawConn(await within(this.#listener.accept(), ms, `${label}: no connection`));
    this.accepted++;
    this.#conns.push(conn);
    return conn;
  }

  /** Closes the listener and every connection it accepted; removes the ipc path. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await Promise.all(this.#conns.map((c) => c.close()));
    if (this.address.path !== undefined) await Deno.remove(this.address.path).catch(() => {});
  }
}
