/**
 * A message split into its SP protocol header (backtrace, hop count …)
 * and its body, as raw sockets see it.
 *
 * @module
 */

/** A message with its SP header apart from its body. */
export interface Message {
  /** The protocol header: empty for PAIR, PUSH/PULL, PUB/SUB and BUS. */
  header: Uint8Array;
  /** The application data. */
  body: Uint8Array;
  /**
   * The pipe (`PipeHandle.id`) a received message came from, or the one a
   * sent message must go to; only protocols that route by pipe (PAIR v1
   * polyamorous) set or honour it, the others leave it out and ignore it.
   */
  readonly pipe?: number;
}

/** The empty byte string, shared. */
export const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Bodies at least this large are copied by the socket when they are sent,
 * so that a caller may change or reuse its buffer as soon as `send`
 * resolves (as with `nn_send`, which copies), while transports write them
 * from that copy without copying again. A transport that keeps a smaller
 * body past its `send` call (inproc queues it) must copy it itself; the
 * stream mappings copy small bodies into their write batch.
 */
export const SEND_COPY_MIN = 64 * 1024;
