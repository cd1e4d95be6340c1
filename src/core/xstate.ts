/**
 * The one place the XState dependency is declared. Every module imports
 * XState from here, so a script anywhere can import `mod.ts` by path or by
 * URL without an import map of its own, and the version is named once.
 *
 * @module
 */

export * from "npm:xstate@^5.33.3";
