/**
 * The inproc transport: `inproc://name` within one runtime, with no wire
 * format; the handshake only exchanges protocol ids. Each runtime gets its
 * own name space.
 *
 * A message is copied once, as on any transport, so that neither side sees
 * the other change it: small bodies into slabs shared by many (one typed
 * array view each, no allocation of their own: a fresh ArrayBuffer per
 * message made inproc 64 B five times slower), large ones by the socket
 * (its pooled send copy), which goes back to the pool when the receiver
 * receives it into a buffer of its own.
 *
 * @module
 */

import { SpError } from "../core/errors.ts";
import { SEND_COPY_MIN } from "../core/message.ts";
import { lendMemory } from "../core/received_memory.ts";
import { sendCopies } from "../core/send_copies.ts";
import {
  checkEndpointOptions,
  type Connection,
  type ConnectionSink,
  type Transport,
  type TransportListener,
} from "../core/transport.ts";
import { Queue } from "../routing/queue.ts";

/** Bodies up to this size are copied into slabs. */
const SLAB_COPY_MAX = 4096;
/** A slab's size. */
const SLAB = 64 * 1024;

/** One end of an in-process connection. */
class InprocEnd implements Connection {
  readonly description: string;
  readonly localAddress: string;
  readonly remoteAddress: string;
  peer!: InprocEnd;
  #sink: ConnectionSink | undefined;
  #paused = false;
  #closed = false;
  /** Payloads sent to this end that it has not taken yet. */
  #inbox = new Queue<Uint8Array>();
  #inboxBytes = 0;
  #self: number | undefined;
  #peerKnown: ((id: number) => void) | undefined;
  // Where small bodies sent from this end are copied to.
  #slab = new Uint8Array(0);
  #slabUsed = 0;

  constructor(description: string, name: string) {
    this.description = description;
    this.localAddress = this.remoteAddress = name;
  }

  get pendingBytes(): number {
    return this.peer.#inboxBytes;
  }

  handshake(selfProtocol: number, signal: AbortSignal): Promise<number> {
    this.#self = selfProtocol;
    const peer = this.peer;
    if (peer.#peerKnown !== undefined) {
      peer.#peerKnown(selfProtocol);
      peer.#peerKnown = undefined;
    }
    if (this.#closed) return Promise.reject(new SpError("EPROTO", `${this.description}: peer went away`));
    if (peer.#self !== undefined) return Promise.resolve(peer.#self);
    return new Promise((resolve, reject) => {
      this.#peerKnown = resolve;
      signal.addEventListener(
        "abort",
        () => reject(new SpError("ETIMEDOUT", `${this.description}: handshake timed out`)),
        { once: true },
      );
    });
  }

  start(sink: ConnectionSink): void {
    this.#sink = sink;
    if (this.#closed) sink.closed();
    else this.#drain();
  }

  send(body: Uint8Array, header?: Uint8Array): void {
    if (this.#closed) return;
    if (header === undefined || header.length === 0) {
      this.peer.#deliver(this.#copy(body));
      return;
    }
    // Like nanomsg and nng, inproc delivers header and body as one payload,
    // exactly as a stream transport would.
    const payload = new Uint8Array(header.length + body.length);
    payload.set(header);
    payload.set(body, header.length);
    this.peer.#deliver(payload);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#drain();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox = new Queue();
    this.#inboxBytes = 0;
    this.#sink?.closed();
    this.peer.close();
  }

  /**
   * What the peer gets for `body`: a copy, since the sender may reuse its
   * buffer once `send` resolves (see the module doc).
   */
  #copy(body: Uint8Array): Uint8Array {
    const n = body.length;
    if (n >= SEND_COPY_MIN) {
      // The socket's copy: held until the receiver gives it back.
      if (!sendCopies.hold(body)) return body.slice();
      lendMemory(body.buffer, { givenBack: () => sendCopies.release(body) });
      return body;
    }
    if (n > SLAB_COPY_MAX) return body.slice();
    if (this.#slabUsed + n > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB);
      this.#slabUsed = 0;
    }
    const at = this.#slabUsed;
    this.#slab.set(body, at);
    this.#slabUsed = at + n;
    return this.#slab.subarray(at, at + n);
  }

  #deliver(payload: Uint8Array): void {
    if (this.#closed) return;
    if (this.#sink !== undefined && !this.#paused && this.#inbox.length === 0) {
      this.#sink.message(payload);
      return;
    }
    this.#inbox.push(payload);
    this.#inboxBytes += payload.length;
  }

  #drain(): void {
    const sink = this.#sink;
    if (sink === undefined || this.#inbox.length === 0) return;
    while (!this.#paused && !this.#closed && this.#inbox.length > 0) {
      const payload = this.#inbox.shift()!;
      this.#inboxBytes -= payload.length;
      sink.message(payload);
    }
    this.peer.#sink?.drained();
  }
}

class InprocListener implements TransportListener {
  readonly address: string;
  readonly #names: Map<string, InprocListener>;
  #backlog = new Queue<InprocEnd>();
  #waiting: { resolve: (c: Connection) => void; reject: (e: Error) => void } | undefined;
  #closed = false;

  constructor(name: string, names: Map<string, InprocListener>) {
    this.address = name;
    this.#names = names;
  }

  offer(end: InprocEnd): void {
    if (this.#waiting) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve(end);
    } else {
      this.#backlog.push(end);
    }
  }

  accept(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new SpError("EBADF", "listener closed"));
    const ready = this.#backlog.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => this.#waiting = { resolve, reject });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#names.delete(this.address);
    for (const end of this.#backlog.drain()) end.close();
    this.#waiting?.reject(new SpError("EBADF", "listener closed"));
    this.#waiting = undefined;
    return Promise.resolve();
  }
}

/**
 * Creates an inproc transport with its own name space.
 *
 * @example Usage
 * ```ts
 * import { createInprocTransport } from "@sp/nanomsg";
 * console.log(createInprocTransport().scheme); // "inproc"
 * ```
 *
 * @returns the transport, to register on a runtime
 */
export function createInprocTransport(): Transport {
  const names = new Map<string, InprocListener>();
  let count = 0;
  return {
    scheme: "inproc",
    checkAddress(_name, _mode, options) {
      checkEndpointOptions("inproc", options.endpoint, []);
    },
    listen(name) {
      if (names.has(name)) {
        return Promise.reject(new SpError("EADDRINUSE", `inproc://${name} is already bound`));
      }
      const listener = new InprocListener(name, names);
      names.set(name, listener);
      return Promise.resolve(listener);
    },
    dial(name) {
      const listener = names.get(name);
      if (listener === undefined) {
        return Promise.reject(new SpError("ECONNREFUSED", `nothing is bound at inproc://${name}`));
      }
      const n = ++count;
      const client = new InprocEnd(`inproc ${name} #${n} (dialer)`, name);
      const server = new InprocEnd(`inproc ${name} #${n} (listener)`, name);
      client.peer = server;
      server.peer = client;
      listener.offer(server);
      return Promise.resolve(client);
    },
  };
}
