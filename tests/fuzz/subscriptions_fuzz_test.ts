/**
 * Fuzzes the SUB subscription trie (`src/routing/subscriptions.ts`)
 * against a plain model (a refcount per topic; a body matches when some
 * subscribed topic is its prefix): after any sequence of subscribes and
 * unsubscribes, `matches`, `size` and the return values agree with the
 * model, and once everything is unsubscribed the trie is back to its root
 * alone. Topics come from a small alphabet so they share prefixes and the
 * trie splits and folds edges.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Subscriptions } from "../../src/routing/subscriptions.ts";
import { check, fc } from "./_fuzz.ts";

const topic = fc.array(fc.constantFrom(0x61, 0x62, 0x63, 0x00, 0xff), { maxLength: 6 }).map((a) => Uint8Array.from(a));
const op = fc.tuple(fc.constantFrom("sub", "unsub", "unsub", "match"), topic);

function key(bytes: Uint8Array): string {
  return Array.from(bytes).join(",");
}

function modelMatches(model: Map<string, { topic: Uint8Array; count: number }>, body: Uint8Array): boolean {
  for (const { topic } of model.values()) {
    if (topic.length <= body.length && topic.every((b, i) => body[i] === b)) return true;
  }
  return false;
}

Deno.test("fuzz subscriptions: the trie agrees with a refcounted model and shrinks back to its root", () => {
  check(
    "subscription trie",
    fc.property(fc.array(op, { maxLength: 30 }), fc.array(topic, { maxLength: 6 }), (ops, probes) => {
      const trie = new Subscriptions();
      const model = new Map<string, { topic: Uint8Array; count: number }>();
      for (const [kind, t] of ops) {
        if (kind === "sub") {
          // The trie copies: reusing the caller's buffer afterwards must not matter.
          const buffer = t.slice();
          trie.subscribe(buffer);
          buffer.fill(0x7e);
          const entry = model.get(key(t));
          if (entry) entry.count++;
          else model.set(key(t), { topic: t, count: 1 });
        } else if (kind === "unsub") {
          const entry = model.get(key(t));
          assert.equal(trie.unsubscribe(t), entry !== undefined);
          if (entry && --entry.count === 0) model.delete(key(t));
        } else {
          assert.equal(trie.matches(t), modelMatches(model, t));
        }
        assert.equal(trie.size, model.size);
      }
      for (const body of probes) assert.equal(trie.matches(body), modelMatches(model, body));
      for (const { topic, count } of [...model.values()]) {
        for (let i = 0; i < count; i++) assert.ok(trie.unsubscribe(topic));
      }
      assert.equal(trie.size, 0);
      assert.equal(trie.nodeCount, 1);
      assert.equal(trie.matches(new Uint8Array(0)), false);
    }),
    50_000,
  );
});
