/**
 * Write batches shared by every outbound byte stream of the process (tcp,
 * ipc, tls+tcp and ws connections). A connection takes a batch when it
 * starts sending after a quiet spell and gives it back once it is written,
 * so an idle connection holds none, a burst does not allocate (and zero)
 * fresh memory, and a publisher with a hundred connections reuses the
 * same few warm buffers.
 *
 * @module
 */

/** The smallest batch. */
export const BATCH_MIN = 16 * 1024;
/** Batches larger than this are not kept. */
const KEEP_MAX = 1024 * 1024;
/** The pool never holds more than this many bytes in all. */
const POOL_BYTES_MAX = 4 * 1024 * 1024;

/**
 * Free batches by size class (powers of two from {@linkcode BATCH_MIN}).
 *
 * @example Usage
 * ```ts
 * import { BatchPool } from "./_batch_pool.ts";
 * const pool = new BatchPool();
 * const batch = pool.take(100);
 * console.log(batch.length); // 16384
 * pool.give(batch);
 * console.log(pool.take(100) === batch); // true
 * ```
 */
export class BatchPool {
  #free: Uint8Array[][] = [];
  #bytes = 0;
  #mine = new WeakSet<ArrayBufferLike>();

  /** A batch of at least `size` bytes (a power of two, at least {@linkcode BATCH_MIN}); its contents are stale. */
  take(size: number): Uint8Array {
    let length = BATCH_MIN;
    let index = 0;
    while (length < size) {
      length *= 2;
      index++;
    }
    // The smallest free batch that is large enough: the pool may be full of larger ones.
    for (let i = index; i < this.#free.length; i++) {
      const batch = this.#free[i]!.pop();
      if (batch !== undefined) {
        this.#bytes -= batch.length;
        return batch;
      }
    }
    const fresh = new Uint8Array(length);
    this.#mine.add(fresh.buffer);
    return fresh;
  }

  /** Whether `buffer` is a batch's (so a written segment can be given back). */
  owns(buffer: ArrayBufferLike): boolean {
    return this.#mine.has(buffer);
  }

  /** Returns a batch nobody reads or writes any more. */
  give(batch: Uint8Array): void {
    if (batch.length > KEEP_MAX || this.#bytes + batch.length > POOL_BYTES_MAX) return;
    const index = Math.log2(batch.length / BATCH_MIN);
    while (this.#free.length <= index) this.#free.push([]);
    this.#free[index]!.push(batch);
    this.#bytes += batch.length;
  }
}

/** The process's pool. */
export const batchPool: BatchPool = new BatchPool();
