/**
 * Unit tests of the SUB subscription matcher: prefix matching, the empty
 * topic, nanomsg's refcounting, pruning back to an empty trie, and scale
 * (1 MiB topics, a trie thousands of levels deep, 100 000 topics) to show
 * that nothing recurses or slows to a crawl. The scale tests check
 * correctness only, never time.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Subscriptions } from "../../src/routing/subscriptions.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A subscription set holding `topics`. */
function subscribed(...topics: string[]): Subscriptions {
  const subs = new Subscriptions();
  for (const topic of topics) subs.subscribe(bytes(topic));
  return subs;
}

/** Which of `bodies` `subs` lets through. */
function delivered(subs: Subscriptions, ...bodies: string[]): string[] {
  return bodies.filter((body) => subs.matches(bytes(body)));
}

Deno.test("with no subscription nothing matches, not even an empty message", () => {
  const subs = new Subscriptions();
  assert.deepEqual(delivered(subs, "", "a", "anything"), []);
  assert.equal(subs.size, 0);
});

Deno.test("a topic matches exactly the bodies that start with it", () => {
  const subs = subscribed("news.");
  assert.deepEqual(
    delivered(subs, "news.", "news.sport", "news", "new", "", "xnews.", "News.sport", "news-sport"),
    ["news.", "news.sport"],
  );
});

Deno.test("the empty topic matches every message, the empty one included", () => {
  const subs = subscribed("");
  assert.deepEqual(delivered(subs, "", "a", "zzz"), ["", "a", "zzz"]);
});

Deno.test("a message matches when any subscription is a prefix of it", () => {
  // The case sp-spec §2.6 verified against nanomsg and nng.
  const subs = subscribed("ab", "abc", "x");
  assert.deepEqual(delivered(subs, "abcd", "ab", "a", "xyz", "zz"), ["abcd", "ab", "xyz"]);
});

Deno.test("subscriptions are refcounted: subscribing twice takes two unsubscribes", () => {
  const subs = subscribed("a", "a");
  assert.equal(subs.size, 1);
  assert.equal(subs.unsubscribe(bytes("a")), true);
  assert.deepEqual(delivered(subs, "abc"), ["abc"]);
  assert.equal(subs.unsubscribe(bytes("a")), true);
  assert.deepEqual(delivered(subs, "abc"), []);
  assert.equal(subs.size, 0);
});

Deno.test("unsubscribing a topic that is not subscribed changes nothing", () => {
  const subs = subscribed("abc", "abd");
  for (const stranger of ["", "a", "ab", "abcd", "abe", "x"]) {
    assert.equal(subs.unsubscribe(bytes(stranger)), false, stranger);
  }
  assert.equal(new Subscriptions().unsubscribe(bytes("nothing")), false);
  assert.deepEqual(delivered(subs, "abc!", "abd!", "ab", "abe"), ["abc!", "abd!"]);
  assert.equal(subs.size, 2);
});

Deno.test("unsubscribing one topic keeps the topics that share its bytes", () => {
  const subs = subscribed("a", "ab", "abc", "abd", "b");
  subs.unsubscribe(bytes("ab"));
  assert.deepEqual(delivered(subs, "abc", "abd", "abz", "a", "b"), ["abc", "abd", "abz", "a", "b"]);
  subs.unsubscribe(bytes("a"));
  assert.deepEqual(delivered(subs, "abc", "abd", "abz", "a", "b"), ["abc", "abd", "b"]);
  subs.unsubscribe(bytes("abc"));
  assert.deepEqual(delivered(subs, "abc", "abd", "b"), ["abd", "b"]);
  subs.unsubscribe(bytes("abd"));
  assert.deepEqual(delivered(subs, "abd", "b", "bcd"), ["b", "bcd"]);
});

Deno.test("the trie shrinks back to its root once every topic is gone, in any order", () => {
  const topics = ["", "a", "ab", "abc", "abcd", "abx", "b", "ba", "bab", "xyz", "xy"];
  const orders = [topics, [...topics].reverse(), [...topics].sort((p, q) => p.length - q.length || (p < q ? 1 : -1))];
  for (const order of orders) {
    const subs = subscribed(...topics);
    for (const topic of order) assert.equal(subs.unsubscribe(bytes(topic)), true, topic);
    assert.equal(subs.nodeCount, 1, `after removing in the order ${order.join(",")}`);
    assert.equal(subs.size, 0);
    // And it still works afterwards.
    subs.subscribe(bytes("ab"));
    assert.deepEqual(delivered(subs, "abc", "a"), ["abc"]);
  }
});

Deno.test("topics are copied: reusing the caller's buffer afterwards changes nothing", () => {
  const subs = new Subscriptions();
  const topic = bytes("abc");
  subs.subscribe(topic);
  topic.set(bytes("xyz"));
  assert.deepEqual(delivered(subs, "abc1", "xyz1"), ["abc1"]);
  assert.equal(subs.unsubscribe(bytes("abc")), true);
});

Deno.test("topics are bytes: NUL, 0xff and invalid UTF-8 match exactly", () => {
  const subs = new Subscriptions();
  subs.subscribe(new Uint8Array([0x00, 0xff, 0xc3]));
  assert.equal(subs.matches(new Uint8Array([0x00, 0xff, 0xc3, 0x28])), true);
  assert.equal(subs.matches(new Uint8Array([0x00, 0xff, 0xc4])), false);
  assert.equal(subs.matches(new Uint8Array([0x00, 0xff])), false);
});

Deno.test("a body given as a view into a larger buffer is matched on its own bytes", () => {
  const subs = subscribed("ab");
  const buffer = bytes("xxabyy");
  assert.equal(subs.matches(buffer.subarray(2, 4)), true);
  assert.equal(subs.matches(buffer.subarray(3, 5)), false);
});

Deno.test("clear() removes every subscription", () => {
  const subs = subscribed("", "a", "b");
  subs.clear();
  assert.deepEqual(delivered(subs, "", "a", "b"), []);
  assert.equal(subs.size, 0);
  assert.equal(subs.nodeCount, 1);
});

const MIB = 1024 * 1024;

/** `n` bytes in no short repeating pattern, every byte value included. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let state = seed | 1;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

/** A copy of `source` with the byte at `at` XORed with `mask`. */
function withByteChanged(source: Uint8Array, at: number, mask: number): Uint8Array {
  const copy = source.slice();
  copy[at] = (source[at]! ^ mask) & 0xff;
  return copy;
}

Deno.test("1 MiB topics subscribe, match and unsubscribe", () => {
  const long = noise(MIB, 7);
  const subs = new Subscriptions();
  subs.subscribe(long);
  const longer = new Uint8Array(MIB + 3);
  longer.set(long);
  assert.equal(subs.matches(long), true);
  assert.equal(subs.matches(longer), true);
  assert.equal(subs.matches(long.subarray(0, MIB - 1)), false, "one byte short");
  const lastByteWrong = withByteChanged(long, MIB - 1, 1);
  assert.equal(subs.matches(lastByteWrong), false, "last byte differs");

  // A second 1 MiB topic that shares the first half, and prefixes cut at odd places.
  const sibling = withByteChanged(long, MIB / 2, 0x80);
  subs.subscribe(sibling);
  subs.subscribe(long.subarray(0, 12_345));
  assert.equal(subs.matches(lastByteWrong), true, "now the short prefix covers it");
  assert.equal(subs.unsubscribe(long.subarray(0, 12_345)), true);
  assert.equal(subs.matches(lastByteWrong), false);
  assert.equal(subs.matches(sibling), true);
  assert.equal(subs.unsubscribe(long), true);
  assert.equal(subs.matches(long), false);
  assert.equal(subs.matches(sibling), true);
  assert.equal(subs.unsubscribe(sibling), true);
  assert.equal(subs.nodeCount, 1);
});

Deno.test("a trie thousands of levels deep is built, matched and emptied without recursion", () => {
  // One 12 000-byte topic, plus at every depth k a topic that leaves it
  // there (its first k bytes, then a different byte): a chain of 12 000
  // branching nodes, deeper than the ~8 000 frames a recursive walk gets
  // on V8's default stack. Inserted longest first, so each insert splits
  // one edge.
  const depth = 12_000;
  const trunk = noise(depth, 11);
  const branch = (k: number) => {
    const topic = trunk.slice(0, k + 1);
    topic[k] = (trunk[k]! ^ 1) & 0xff;
    return topic;
  };
  const subs = new Subscriptions();
  subs.subscribe(trunk);
  for (let k = depth - 1; k >= 0; k--) subs.subscribe(branch(k));
  assert.equal(subs.size, depth + 1);
  assert.equal(subs.nodeCount, 2 * depth + 1);
  // Both walk all 12 000 levels: one ends on the trunk's leaf, one falls off at the bottom.
  assert.equal(subs.matches(trunk), true);
  assert.equal(subs.matches(withByteChanged(trunk, depth - 1, 2)), false);
  assert.equal(subs.matches(withByteChanged(trunk, depth - 1, 1)), true, "the deepest branch");
  // Shallowest first, so each removal folds the level above into the next.
  for (let k = 0; k < depth; k++) assert.equal(subs.unsubscribe(branch(k)), true);
  assert.equal(subs.nodeCount, 2);
  assert.equal(subs.matches(withByteChanged(trunk, depth - 1, 1)), false);
  assert.equal(subs.matches(trunk), true);
  subs.unsubscribe(trunk);
  assert.equal(subs.nodeCount, 1);
});

Deno.test("a short prefix keeps working after the long topic it was split from is gone", () => {
  const long = noise(MIB, 3);
  const subs = new Subscriptions();
  subs.subscribe(long);
  subs.subscribe(long.subarray(0, 4));
  subs.unsubscribe(long);
  // The short topic was a view into the long one's buffer; it must stand alone now.
  assert.equal(subs.nodeCount, 2);
  assert.equal(subs.matches(long), true);
  assert.equal(subs.matches(long.subarray(0, 3)), false);
});

Deno.test("100 000 subscriptions: each matches its own messages and no others", () => {
  const count = 100_000;
  const topic = (i: number) => bytes(`sensor/${i % 97}/${i}/`);
  const subs = new Subscriptions();
  for (let i = 0; i < count; i++) subs.subscribe(topic(i));
  assert.equal(subs.size, count);
  for (let i = 0; i < count; i++) {
    const t = topic(i);
    const body = new Uint8Array(t.length + 4);
    body.set(t);
    if (!subs.matches(body)) assert.fail(`topic ${i} does not match its own message`);
    // "sensor/k/i" without the closing slash is a prefix of no topic's message.
    if (subs.matches(t.subarray(0, t.length - 1))) assert.fail(`a truncated topic ${i} matches`);
  }
  assert.equal(subs.matches(bytes(`sensor/1/${count + 1}/`)), false);
  assert.equal(subs.matches(bytes("sensor/")), false);
  for (let i = 0; i < count; i += 2) subs.unsubscribe(topic(i));
  assert.equal(subs.size, count / 2);
  for (let i = 0; i < count; i++) {
    if (subs.matches(topic(i)) !== (i % 2 === 1)) assert.fail(`topic ${i} after removing the even ones`);
  }
  for (let i = 1; i < count; i += 2) subs.unsubscribe(topic(i));
  assert.equal(subs.nodeCount, 1);
});

Deno.test("10 000 binary subscriptions with shared prefixes match correctly", () => {
  const count = 10_000;
  const topics = Array.from({ length: count }, (_, i) => noise(1 + (i % 300), 1 + (i % 50)));
  const subs = new Subscriptions();
  for (const t of topics) subs.subscribe(t);
  // noise() with the same seed gives nested prefixes, so many topics are counted more than once.
  for (const t of topics) assert.equal(subs.matches(t), true);
  const unseen = noise(400, 999);
  assert.equal(subs.matches(unseen), topics.some((t) => t.every((b, i) => unseen[i] === b)));
  for (const t of topics) assert.equal(subs.unsubscribe(t), true);
  assert.equal(subs.nodeCount, 1);
});
