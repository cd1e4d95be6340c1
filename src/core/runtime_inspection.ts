/**
 * Runtime-wide inspection (`runtime.inspect()`): one observer sees the
 * machines of every socket, endpoint and pipe of a runtime, those running
 * when it starts and those started later. It costs nothing while nobody
 * observes: actors are then started exactly as without it. While someone
 * does, each root actor's system (a socket's, an endpoint's with its
 * pipes) has one XState inspection subscription; when the last observer
 * leaves, every subscription is dropped again.
 *
 * @module
 */

import type { Actor, AnyStateMachine, Subscription } from "./xstate.ts";
import { reportListenerError } from "./event_hub.ts";
import type { Inspector, MachineInspectionEvent } from "./runtime.ts";

/** What an observer is told about an actor running when it starts (instead of XState's init event). */
export const PRESENT_EVENT_TYPE = "sp.inspect.present";

type AnyActor = Actor<AnyStateMachine>;

/** The actors of a runtime that are running now. */
export interface LiveActors {
  /** The root actors: sockets and endpoints. */
  roots(): Iterable<AnyActor>;
  /** Every actor, parents before children: sockets, endpoints, attached pipes. */
  running(): Iterable<AnyActor>;
}

function deliver(observer: Inspector, event: MachineInspectionEvent): void {
  try {
    if (typeof observer === "function") observer(event);
    else observer.next?.(event);
  } catch (error) {
    reportListenerError(error);
  }
}

/** A runtime's inspection observers. Internal to the core. */
export class RuntimeInspection {
  readonly #live: LiveActors;
  readonly #observers = new Set<Inspector>();
  readonly #subscriptions = new WeakMap<AnyActor, Subscription>();
  readonly #dispatch = {
    next: (event: MachineInspectionEvent) => {
      for (const observer of this.#observers) deliver(observer, event);
    },
  };

  /** @param live lists the actors running now */
  constructor(live: LiveActors) {
    this.#live = live;
  }

  /** Whether anybody observes. */
  get active(): boolean {
    return this.#observers.size > 0;
  }

  /**
   * A root actor was made and is about to start: its system is observed
   * from now on, and the observers learn of it (XState announced it in
   * its constructor, before anybody could subscribe).
   */
  adopt(actor: AnyActor): void {
    if (this.#observers.size === 0) return;
    this.#subscriptions.set(actor, actor.system.inspect(this.#dispatch));
    this.#dispatch.next({ type: "@xstate.actor", actorRef: actor, rootId: actor.sessionId });
  }

  /**
   * Adds an observer. It is first told about every actor running now, as
   * an `@xstate.actor` and an `@xstate.snapshot` with the current snapshot
   * (its `event` is `{ type: "sp.inspect.present" }`).
   *
   * @param observer the new observer
   * @returns a function that removes the observer
   */
  add(observer: Inspector): () => void {
    if (this.#observers.size === 0) {
      for (const root of this.#live.roots()) {
        if (!this.#subscriptions.has(root)) this.#subscriptions.set(root, root.system.inspect(this.#dispatch));
      }
    }
    this.#observers.add(observer);
    for (const actor of this.#live.running()) {
      const rootId = rootOf(actor).sessionId;
      deliver(observer, { type: "@xstate.actor", actorRef: actor, rootId });
      deliver(observer, {
        type: "@xstate.snapshot",
        actorRef: actor,
        rootId,
        event: { type: PRESENT_EVENT_TYPE },
        snapshot: actor.getSnapshot(),
      } as MachineInspectionEvent);
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#observers.delete(observer);
      if (this.#observers.size > 0) return;
      // Roots that ended meanwhile took their subscriptions with them.
      for (const root of this.#live.roots()) {
        this.#subscriptions.get(root)?.unsubscribe();
        this.#subscriptions.delete(root);
      }
    };
  }
}

function rootOf(actor: AnyActor): AnyActor {
  let at = actor;
  while (at._parent !== undefined) at = at._parent as AnyActor;
  return at;
}
