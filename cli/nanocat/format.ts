/**
 * nanocat's echo formats: how each received message is written to stdout,
 * byte for byte as nanocat 1.1.5 writes it. "Printable" is C's `isprint`
 * in the C locale (0x20–0x7e); bytes from 0x80 up never are.
 *
 * @module
 */

/** The names `--format` accepts, in the order nanocat lists them. */
export const ECHO_FORMATS = ["no", "raw", "ascii", "quoted", "msgpack", "hex"] as const;

/** How received messages are printed; `no` prints nothing. */
export type EchoFormat = typeof ECHO_FORMATS[number];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DOT = 0x2e;

const encoder = new TextEncoder();

function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, "0")}`;
}

/** Grows a byte buffer as pieces are appended. */
class ByteBuilder {
  #bytes: Uint8Array;
  #length = 0;

  constructor(capacity: number) {
    this.#bytes = new Uint8Array(Math.max(capacity, 16));
  }

  byte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  bytes(values: Uint8Array): void {
    this.#reserve(values.length);
    this.#bytes.set(values, this.#length);
    this.#length += values.length;
  }

  ascii(text: string): void {
    this.bytes(encoder.encode(text));
  }

  result(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + extra));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

function ascii(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 1);
  for (let i = 0; i < message.length; i++) out[i] = isPrintable(message[i]!) ? message[i]! : DOT;
  out[message.length] = NEWLINE;
  return out;
}

function quoted(message: Uint8Array): Uint8Array {
  const out = new ByteBuilder(message.length + 3);
  out.byte(QUOTE);
  for (const byte of message) {
    if (byte === NEWLINE) out.ascii("\\n");
    else if (byte === CARRIAGE_RETURN) out.ascii("\\r");
    else if (byte === BACKSLASH || byte === QUOTE) out.bytes(Uint8Array.of(BACKSLASH, byte));
    else if (isPrintable(byte)) out.byte(byte);
    else out.ascii(hexEscape(byte));
  }
  out.ascii('"\n');
  return out.result();
}

// A msgpack "bin" object: 0xc4 with a 1-byte length, 0xc5 with 2 bytes or
// 0xc6 with 4 bytes, big-endian, then the bytes.
function msgpack(message: Uint8Array): Uint8Array {
  const length = message.length;
  const prefix = length < 0x100
    ? [0xc4, length]
    : length < 0x10000
    ? [0xc5, length >>> 8, length & 0xff]
    : [0xc6, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff];
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix);
  out.set(message, prefix.length);
  return out;
}

function hex(message: Uint8Array): Uint8Array {
  let text = '"';
  for (const byte of message) text += hexEscape(byte);
  return encoder.encode(`${text}"\n`);
}

/**
 * The bytes nanocat writes to stdout for one received message.
 *
 * @example Usage
 * ```ts
 * import { formatMessage } from "./format.ts";
 * const out = formatMessage("quoted", new TextEncoder().encode('say "hi"\n'));
 * console.log(new TextDecoder().decode(out)); // "say \"hi\"\n" and a newline
 * ```
 *
 * @param format the echo format
 * @param message the message body
 * @returns what to write; empty for the `no` format
 */
export function formatMessage(format: EchoFormat, message: Uint8Array): Uint8Array {
  switch (format) {
    case "no":
      return new Uint8Array(0);
    case "raw":
      return message;
    case "ascii":
      return ascii(message);
    case "quoted":
      return quoted(message);
    case "msgpack":
      return msgpack(message);
    case "hex":
      return hex(message);
  }
}
