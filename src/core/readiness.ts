/**
 * What `poll()` sees of a socket: whether a send or a receive would
 * complete now, and a way to hear when that may have changed. A socket
 * registers itself here; it tells its pollers about changes only while it
 * has some (the data path checks one flag).
 *
 * @module
 */

import type { Clock } from "./clock.ts";

/** What `poll()` sees of a socket. Internal to the core. */
export interface SocketReadiness {
  /** The runtime's clock. */
  readonly clock: Clock;
  /** Whether a send (or receive) would complete now; throws EBADF/ETERM once closed, ENOTSUP when unknown. */
  ready(direction: "send" | "recv"): boolean;
  /** Calls `listener` whenever readiness may have changed (or the socket closed); returns the unsubscribe. */
  watch(listener: () => void): () => void;
}

const readinessOf = new WeakMap<object, SocketReadiness>();

/**
 * Registers a socket's readiness. Internal to the core.
 *
 * @param socket the socket
 * @param readiness what poll() asks it
 */
export function registerReadiness(socket: object, readiness: SocketReadiness): void {
  readinessOf.set(socket, readiness);
}

/**
 * What `poll()` sees of a socket. Internal to the core.
 *
 * @returns the socket's readiness, or undefined for something that is no socket
 */
export function socketReadiness(socket: object): SocketReadiness | undefined {
  return readinessOf.get(socket);
}

/**
 * The pollers of one socket. Internal to the core.
 *
 * @example Usage
 * ```ts ignore
 * const pollers = new Pollers();
 * const stop = pollers.add(() => console.log("look again"));
 * if (pollers.active) pollers.changed();
 * stop();
 * ```
 */
export class Pollers {
  #listeners: Set<() => void> | undefined;

  /** Whether anybody polls the socket now. */
  get active(): boolean {
    return this.#listeners !== undefined;
  }

  /**
   * Adds a listener.
   *
   * @returns the function that removes it
   */
  add(listener: () => void): () => void {
    (this.#listeners ??= new Set()).add(listener);
    return () => {
      this.#listeners?.delete(listener);
      if (this.#listeners?.size === 0) this.#listeners = undefined;
    };
  }

  /** Readiness may have changed: tells every listener. */
  changed(): void {
    for (const listener of [...this.#listeners ?? []]) listener();
  }

  /**
   * Tells the listeners once `call` settles (a receive that took a
   * request lets a REP send); the call is returned as it is.
   */
  after<T>(call: Promise<T>): Promise<T> {
    const changed = () => this.changed();
    call.then(changed, changed);
    return call;
  }
}
