/// <reference lib="dom" />
/**
 * Brings a part of the page up to date with a description of what it
 * should show, touching only what differs: the page redraws up to ten
 * times a second, and rebuilding every row each time would cost the
 * browser (and so the machine the inspected program runs on) far more
 * than changing the few numbers that moved. Text is only ever set as
 * text.
 *
 * @module
 */

/** What one element should be. */
export interface NodeSpec {
  /** Its tag, e.g. `"div"`. */
  readonly tag: string;
  /** Its class attribute. */
  readonly className?: string;
  /** Its text, for an element without children. */
  readonly text?: string;
  /** Its `data-*` attributes. */
  readonly data?: Readonly<Record<string, string>>;
  /** Its children. */
  readonly children?: readonly NodeSpec[];
}

/**
 * Makes `parent`'s children match `specs`, reusing the elements already
 * there (by position) and writing only what changed.
 *
 * @param parent the element whose children to update
 * @param specs what its children should be
 */
export function patchChildren(parent: Element, specs: readonly NodeSpec[]): void {
  const existing = parent.children;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const node = existing[i];
    if (node === undefined || node.tagName.toLowerCase() !== spec.tag) {
      const made = create(spec);
      if (node === undefined) parent.append(made);
      else node.replaceWith(made);
      continue;
    }
    update(node as HTMLElement, spec);
  }
  while (existing.length > specs.length) existing[existing.length - 1]!.remove();
}

function create(spec: NodeSpec): HTMLElement {
  const node = document.createElement(spec.tag);
  update(node, spec);
  return node;
}

function update(node: HTMLElement, spec: NodeSpec): void {
  const className = spec.className ?? "";
  if (node.className !== className) node.className = className;
  const data = spec.data ?? {};
  for (const key of Object.keys(node.dataset)) if (!(key in data)) delete node.dataset[key];
  for (const [key, value] of Object.entries(data)) {
    if (node.dataset[key] !== value) node.dataset[key] = value;
  }
  if (spec.children !== undefined) patchChildren(node, spec.children);
  else if (node.textContent !== (spec.text ?? "")) node.textContent = spec.text ?? "";
}
