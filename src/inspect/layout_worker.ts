/**
 * Lays machines out with {@linkcode layoutMachine} in a worker of its own,
 * so that ELK (a large program that makes a lot of garbage) never runs in
 * the isolate of the sockets the inspector watches. Receives a
 * `MachineGraph[]`, answers the `MachineLayout[]` (or `{ error }`).
 *
 * @module
 */

import type { MachineGraph } from "./graph.ts";
import { layoutMachine } from "./layout.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<MachineGraph[]>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (event) => {
  try {
    scope.postMessage(await Promise.all(event.data.map((graph) => layoutMachine(graph))));
  } catch (error) {
    scope.postMessage({ error: String(error) });
  }
};
