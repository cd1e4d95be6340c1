/**
 * A SUB socket's subscriptions: a refcounted set of byte-string topics,
 * matched by prefix against message bodies.
 *
 * The topics live in a radix trie (a byte trie whose single-child chains
 * are folded into one edge holding several bytes), so a 1 MiB topic is one
 * node, not a million, and a match walks at most one edge per distinct
 * branching point. Every walk is a loop: nothing recurses on the topic, so
 * neither a long topic nor a deep trie can exhaust the stack (the bug class
 * of CVE-2021-20236 in libzmq's subscription trie).
 *
 * @module
 */

/** One trie node: the edge that leads to it, and the topics ending here. */
interface TopicNode {
  /** The bytes on the edge from the parent (empty for the root). */
  label: Uint8Array;
  /** How many times the topic ending exactly here is subscribed. */
  count: number;
  /** Children keyed by the first byte of their label. */
  children: Map<number, TopicNode> | undefined;
  /** The parent; undefined for the root. */
  parent: TopicNode | undefined;
}

function newNode(label: Uint8Array, parent: TopicNode | undefined): TopicNode {
  return { label, count: 0, children: undefined, parent };
}

/** How many leading bytes `label` shares with `topic` from `offset` on. */
function sharedPrefixLength(label: Uint8Array, topic: Uint8Array, offset: number): number {
  const limit = Math.min(label.length, topic.length - offset);
  let i = 0;
  while (i < limit && label[i] === topic[offset + i]) i++;
  return i;
}

/** `a` followed by `b`; a view, without copying, when they are adjacent in one buffer. */
function joinLabels(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset) {
    return new Uint8Array(a.buffer, a.byteOffset, a.length + b.length);
  }
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

// Labels are views; once most of the buffer behind one is gone (its
// topic was unsubscribed) the label is copied so the rest can be freed.
const WASTE_ALLOWANCE = 64;

/**
 * Refcounted prefix subscriptions, after nanomsg's SUB trie: subscribing
 * a topic twice needs two unsubscribes; unsubscribing an unknown topic
 * does nothing. A body matches when any subscribed topic is a prefix of
 * it; the empty topic matches everything.
 *
 * Topics are copied on subscribe, so the caller may reuse its buffer.
 * Subscribing costs O(topic length), unsubscribing the same plus, when two
 * edges fold back into one, a copy of the surviving edge; matching costs
 * O(bytes of the body it compares), independent of how many topics there
 * are.
 *
 * @example Usage
 * ```ts
 * import { Subscriptions } from "./subscriptions.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const subs = new Subscriptions();
 * subs.subscribe(bytes("news."));
 * console.log(subs.matches(bytes("news.sport: 3-1"))); // true
 * console.log(subs.matches(bytes("weather: rain"))); // false
 * ```
 */
export class Subscriptions {
  #root: TopicNode = newNode(new Uint8Array(0), undefined);
  #topics = 0;
  #nodes = 1;

  /** How many distinct topics are subscribed. */
  get size(): number {
    return this.#topics;
  }

  /** How many trie nodes exist, the root included (1 when empty); for tests and diagnostics. */
  get nodeCount(): number {
    return this.#nodes;
  }

  /**
   * Adds one subscription to `topic` (refcounted).
   *
   * @param topic the prefix to match; empty matches every message
   */
  subscribe(topic: Uint8Array): void {
    let node = this.#root;
    let offset = 0;
    while (offset < topic.length) {
      const child = node.children?.get(topic[offset]!);
      if (child === undefined) {
        const leaf = newNode(topic.slice(offset), node);
        (node.children ??= new Map()).set(leaf.label[0]!, leaf);
        this.#nodes++;
        node = leaf;
        break;
      }
      const shared = sharedPrefixLength(child.label, topic, offset);
      node = shared < child.label.length ? this.#split(child, shared) : child;
      offset += shared;
    }
    if (node.count === 0) this.#topics++;
    node.count++;
  }

  /**
   * Removes one subscription to `topic`; a topic that is not subscribed
   * is left alone.
   *
   * @param topic the exact topic given to `subscribe`
   * @returns whether a subscription was removed
   */
  unsubscribe(topic: Uint8Array): boolean {
    const node = this.#find(topic);
    if (node === undefined || node.count === 0) return false;
    node.count--;
    if (node.count === 0) {
      this.#topics--;
      this.#prune(node);
    }
    return true;
  }

  /**
   * Whether some subscribed topic is a prefix of `body`.
   *
   * @param body a message body
   * @returns true when the message should be delivered
   */
  matches(body: Uint8Array): boolean {
    let node = this.#root;
    let offset = 0;
    for (;;) {
      if (node.count > 0) return true;
      if (offset >= body.length) return false;
      const child = node.children?.get(body[offset]!);
      if (child === undefined) return false;
      const label = child.label;
      if (offset + label.length > body.length) return false;
      // The first byte matched through the map key.
      for (let i = 1; i < label.length; i++) {
        if (label[i] !== body[offset + i]) return false;
      }
      node = child;
      offset += label.length;
    }
  }

  /** Removes every subscription. */
  clear(): void {
    this.#root = newNode(new Uint8Array(0), undefined);
    this.#topics = 0;
    this.#nodes = 1;
  }

  /** The node where exactly `topic` ends, if the trie has one. */
  #find(topic: Uint8Array): TopicNode | undefined {
    let node = this.#root;
    let offset = 0;
    while (offset < topic.length) {
      const child = node.children?.get(topic[offset]!);
      if (child === undefined) return undefined;
      if (sharedPrefixLength(child.label, topic, offset) < child.label.length) return undefined;
      node = child;
      offset += child.label.length;
    }
    return node;
  }

  /** Cuts `child`'s edge after `at` bytes; returns the new node in the middle. */
  #split(child: TopicNode, at: number): TopicNode {
    const parent = child.parent!;
    const middle = newNode(child.label.subarray(0, at), parent);
    child.label = child.label.subarray(at);
    child.parent = middle;
    middle.children = new Map([[child.label[0]!, child]]);
    parent.children!.set(middle.label[0]!, middle);
    this.#nodes++;
    return middle;
  }

  /**
   * Restores the trie's shape after `node`'s last subscription went: a
   * node without topics or children is removed, one with a single child
   * is folded into it, all the way up; then labels left as views on
   * mostly freed buffers are compacted along the path.
   */
  #prune(node: TopicNode): void {
    let current = node;
    while (current !== this.#root && current.count === 0) {
      const parent = current.parent!;
      const children = current.children;
      if (children === undefined || children.size === 0) {
        parent.children!.delete(current.label[0]!);
        if (parent.children!.size === 0) parent.children = undefined;
        this.#nodes--;
        current = parent;
        continue;
      }
      if (children.size === 1) {
        const only: TopicNode = children.values().next().value!;
        only.label = joinLabels(current.label, only.label);
        only.parent = parent;
        parent.children!.set(only.label[0]!, only);
        this.#nodes--;
        current = only;
      }
      break;
    }
    for (let at: TopicNode | undefined = current; at !== undefined; at = at.parent) {
      const label = at.label;
      if (label.buffer.byteLength > 2 * label.length + WASTE_ALLOWANCE) at.label = label.slice();
    }
  }
}
