/**
 * The page's picture of the runtime, updated frame by frame from the
 * inspector's event stream. No DOM here, so it is tested in Deno.
 *
 * @module
 */

import type { ActorsFrame, HelloFrame, StatsFrame } from "../live_types.ts";
import type { LiveState } from "../topology.ts";

/** How many ended actors the page keeps. */
export const KEEP_ENDED = 200;

/**
 * A fresh, empty state.
 *
 * @returns the state
 */
export function emptyState(): LiveState {
  return { actors: new Map() };
}

/**
 * Applies one frame of the event stream to the state.
 *
 * @example Usage
 * ```ts
 * import { applyFrame, emptyState } from "./live_state.ts";
 * const state = emptyState();
 * applyFrame(state, "actors", { at: 0, full: true, skipped: 0, actors: [] });
 * console.log(state.actors.size); // 0
 * ```
 *
 * @param state the state, changed in place
 * @param event the frame's event name: `hello`, `actors` or `stats`
 * @param data the frame's parsed data
 */
export function applyFrame(state: LiveState, event: string, data: unknown): void {
  if (event === "hello") {
    state.hello = data as HelloFrame;
  } else if (event === "stats") {
    state.stats = data as StatsFrame;
  } else if (event === "actors") {
    const frame = data as ActorsFrame;
    if (frame.full) state.actors.clear();
    for (const actor of frame.actors) {
      state.actors.delete(actor.key); // re-inserted last: ended actors stay in the order they ended
      state.actors.set(actor.key, actor);
    }
    forgetOldEnded(state);
  }
}

function forgetOldEnded(state: LiveState): void {
  let ended = 0;
  for (const actor of state.actors.values()) if (actor.ended !== undefined) ended++;
  if (ended <= KEEP_ENDED) return;
  for (const [key, actor] of state.actors) {
    if (ended <= KEEP_ENDED) break;
    if (actor.ended === undefined) continue;
    state.actors.delete(key);
    ended--;
  }
}

/**
 * A copy of the state that later frames do not change (what a paused page shows).
 *
 * @param state the state
 * @returns the copy
 */
export function freezeState(state: LiveState): LiveState {
  return { ...state, actors: new Map(state.actors) };
}
