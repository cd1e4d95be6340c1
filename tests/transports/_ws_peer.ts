/**
 * A raw WebSocket peer for tests: makes the opening handshake by hand and
 * then writes whatever frames a test builds, well-formed or hostile.
 *
 * @module
 */

import { encodeFrame, FIN, OP_BINARY } from "../../src/transports/ws/frame.ts";

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/** A masked binary frame, as a client sends it. */
export function clientFrame(payload: Uint8Array, first = FIN | OP_BINARY): Uint8Array {
  return encodeFrame(first, payload, MASK);
}

/** An unmasked frame, as a server sends it. */
export function serverFrame(payload: Uint8Array, first = FIN | OP_BINARY): Uint8Array {
  return encodeFrame(first, payload);
}

/** A raw connection after a hand-made handshake. */
export interface RawWs {
  /** The server's whole response head. */
  response: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Reads until the peer closes; resolves with everything read. */
  readToEnd(): Promise<Uint8Array>;
  close(): void;
}

/** `host`, `port` and `path` of a ws URL. */
export function wsTarget(url: string): { port: number; path: string } {
  const parsed = new URL(url.replace(/^ws/, "http"));
  return { port: Number(parsed.port), path: parsed.pathname };
}

/**
 * Connects to a ws (or, given the CA to trust, wss) URL and asks for
 * `protocol`; resolves after the server's head arrived.
 */
export async function rawWsClient(url: string, protocol = "pull.sp.nanomsg.org", caCert?: string): Promise<RawWs> {
  const { port, path } = wsTarget(url);
  const conn = url.startsWith("wss:")
    ? await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: caCert === undefined ? undefined : [caCert] })
    : await Deno.connect({ hostname: "127.0.0.1", port });
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`;
  await conn.write(new TextEncoder().encode(request));
  let head = "";
  const buffer = new Uint8Array(4096);
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return {
    response: head,
    async write(bytes) {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    },
    async readToEnd() {
      const chunks: number[] = [];
      try {
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          chunks.push(...buffer.subarray(0, n));
        }
      } catch { /* reset */ }
      return new Uint8Array(chunks);
    },
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}
