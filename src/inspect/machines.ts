/**
 * Every machine definition a runtime can run actors of: its own (socket,
 * listener, dialer, pipe: `runtime.machines`) and those of its registered
 * protocols (`ProtocolSpec.machines`). The core never imports a protocol;
 * a protocol with machines of its own lists them on its spec, and
 * registering it is all it takes to have them drawn.
 *
 * @module
 */

import type { MachineDefinition, Runtime } from "../core/runtime.ts";

/** A machine definition and where it comes from. */
export interface RegisteredMachine {
  /** The machine's id, e.g. `"pipe"`; unique within a runtime. */
  readonly id: string;
  /** `"runtime"` for the core's machines, else the name of the protocol that brings it. */
  readonly owner: string;
  /** The definition itself. */
  readonly definition: MachineDefinition;
}

/**
 * Lists a runtime's machine definitions: the core's first (socket,
 * dialer, listener, pipe), then each registered protocol's, in
 * registration order. A definition shared by several protocols is listed
 * once, under the first.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@sp/nanomsg";
 * import { runtimeMachines } from "./machines.ts";
 * console.log(runtimeMachines(new Runtime()).map((m) => m.id)); // ["socket", "dialer", "listener", "pipe"]
 * ```
 *
 * @param runtime the runtime, with its protocols registered
 * @returns the machines
 * @throws {Error} when two different definitions have the same id
 */
export function runtimeMachines(runtime: Runtime): RegisteredMachine[] {
  const list: RegisteredMachine[] = [];
  const add = (owner: string, definition: MachineDefinition) => {
    const same = list.find((entry) => entry.id === definition.id);
    if (same?.definition === definition) return;
    if (same !== undefined) {
      throw new Error(`machine id ${definition.id} of ${owner} is already used by ${same.owner}`);
    }
    list.push({ id: definition.id, owner, definition });
  };
  for (const definition of Object.values(runtime.machines)) add("runtime", definition);
  for (const protocol of runtime.protocols()) {
    for (const definition of protocol.machines ?? []) add(protocol.name, definition);
  }
  return list;
}
