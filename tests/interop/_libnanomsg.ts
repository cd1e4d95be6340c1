/**
 * libnanomsg through Deno's FFI, for what `nanocat` cannot do: running a
 * real `nn_device` between our sockets. The device runs on FFI's worker
 * thread (a nonblocking call); `nn_term` ends it.
 *
 * @module
 */

const LIBRARY = "libnanomsg.so.5";

const symbols = {
  nn_socket: { parameters: ["i32", "i32"], result: "i32" },
  nn_bind: { parameters: ["i32", "buffer"], result: "i32" },
  nn_close: { parameters: ["i32"], result: "i32" },
  nn_device: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  nn_term: { parameters: [], result: "void" },
  nn_errno: { parameters: [], result: "i32" },
  nn_strerror: { parameters: ["i32"], result: "pointer" },
} as const;

/** libnanomsg's numbers we use. */
export const NN = { AF_SP_RAW: 2, NN_REQ: 0x30, NN_REP: 0x31 } as const;

/** Whether libnanomsg can be loaded here. */
export function libnanomsgAvailable(): boolean {
  try {
    Deno.dlopen(LIBRARY, { nn_errno: symbols.nn_errno }).close();
    return true;
  } catch {
    return false;
  }
}

/** A running `nn_device` between two raw libnanomsg sockets bound to the given URLs. */
export class LibnanomsgDevice implements AsyncDisposable {
  readonly #lib: Deno.DynamicLibrary<typeof symbols>;
  readonly #sockets: number[] = [];
  readonly #running: Promise<number>;

  /**
   * @param front URL the raw front socket binds (clients connect here)
   * @param back URL the raw back socket binds (servers connect here)
   * @param frontProtocol e.g. NN_REP
   * @param backProtocol e.g. NN_REQ
   */
  constructor(front: string, back: string, frontProtocol: number, backProtocol: number) {
    this.#lib = Deno.dlopen(LIBRARY, symbols);
    const s1 = this.#open(frontProtocol, front);
    const s2 = this.#open(backProtocol, back);
    this.#running = this.#lib.symbols.nn_device(s1, s2);
  }

  #open(protocol: number, url: string): number {
    const s = this.#lib.symbols.nn_socket(NN.AF_SP_RAW, protocol);
    if (s < 0) throw new Error(`nn_socket failed: ${this.#error()}`);
    this.#sockets.push(s);
    if (this.#lib.symbols.nn_bind(s, new TextEncoder().encode(`${url}\0`)) < 0) {
      throw new Error(`nn_bind ${url} failed: ${this.#error()}`);
    }
    return s;
  }

  #error(): string {
    const ptr = this.#lib.symbols.nn_strerror(this.#lib.symbols.nn_errno());
    return ptr === null ? "unknown error" : new Deno.UnsafePointerView(ptr).getCString();
  }

  /** Stops the device (nn_term) and releases the library. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#lib.symbols.nn_term();
    await this.#running;
    for (const s of this.#sockets) this.#lib.symbols.nn_close(s);
    this.#lib.close();
  }
}
