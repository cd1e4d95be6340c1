/**
 * Draws the throughput results as an SVG chart: one panel per transport,
 * message size on a log₂ axis, messages per second on a log₁₀ axis, one
 * line per implementation. Plain string building, no dependencies, and
 * deterministic (the same results give the same bytes), so the committed
 * chart only changes when the numbers do.
 *
 * @module
 */

import { type CellResult, IMPL_LABEL, IMPLS, sizeLabel } from "./_compare_plan.ts";

/** One implementation's line. */
interface Series {
  label: string;
  color: string;
  dash: string;
  /** [message size, msg/s] */
  points: [number, number][];
}

/** Colors and dashes that stay apart in grey print too. */
const STYLE: Record<string, { color: string; dash: string }> = {
  ours: { color: "#1f6fd1", dash: "" },
  libnanomsg: { color: "#d9731a", dash: "6 3" },
  nng: { color: "#2f9e44", dash: "2 3" },
};

const PANEL_W = 300;
const PANEL_H = 230;
const GAP = 40;
const LEFT = 64;
const TOP = 64;
const BOTTOM = 48;

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** 1k, 10k, 100k, 1M, 10M. */
function rateLabel(value: number): string {
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

function seriesFor(results: CellResult[], transport: string): Series[] {
  const cells = results.filter((r) =>
    r.cell.group === "main" && r.cell.kind === "thr" && r.cell.transport === transport
  )
    .sort((a, b) => a.cell.size - b.cell.size);
  return IMPLS.map((impl) => {
    const label = IMPL_LABEL[impl];
    const points: [number, number][] = [];
    for (const r of cells) {
      const v = r.medians.get(label);
      if (v !== undefined && v > 0) points.push([r.cell.size, v]);
    }
    return { label, ...STYLE[label]!, points };
  });
}

/**
 * The chart, or undefined when there are no throughput results.
 *
 * @param results the comparison's cells
 * @returns SVG text
 */
export function throughputChart(results: CellResult[]): string | undefined {
  const transports = [
    ...new Set(results.filter((r) => r.cell.group === "main" && r.cell.kind === "thr").map((r) => r.cell.transport)),
  ];
  const panels = transports.map((t) => ({ transport: t, series: seriesFor(results, t) }));
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  if (all.length === 0) return undefined;
  const sizes = [...new Set(all.map(([size]) => size))].sort((a, b) => a - b);
  const xMin = Math.log2(sizes[0]!);
  const xMax = Math.max(xMin + 1, Math.log2(sizes.at(-1)!));
  const yMin = Math.floor(Math.log10(Math.min(...all.map(([, v]) => v))));
  const yMax = Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(...all.map(([, v]) => v)))));
  const x = (size: number) => (Math.log2(size) - xMin) / (xMax - xMin) * PANEL_W;
  const y = (value: number) => PANEL_H - (Math.log10(value) - yMin) / (yMax - yMin) * PANEL_H;

  const width = LEFT + panels.length * PANEL_W + (panels.length - 1) * GAP + 24;
  const height = TOP + PANEL_H + BOTTOM;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">PAIR throughput by message size ` +
    `(msg/s, log scales; higher is better)</text>`,
  ];
  // Legend.
  panels[0]!.series.forEach((s, i) => {
    const lx = LEFT + i * 130;
    out.push(
      `<line x1="${lx}" y1="38" x2="${lx + 28}" y2="38" stroke="${s.color}" stroke-width="2.5"` +
        `${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      `<circle cx="${lx + 14}" cy="38" r="3" fill="${s.color}"/>`,
      `<text x="${lx + 34}" y="42">${escape(s.label)}</text>`,
    );
  });
  panels.forEach((panel, i) => {
    const ox = LEFT + i * (PANEL_W + GAP);
    out.push(`<g transform="translate(${ox},${TOP})">`);
    out.push(`<rect width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
    for (let e = yMin; e <= yMax; e++) {
      const gy = fmt(y(10 ** e));
      out.push(`<line x1="0" y1="${gy}" x2="${PANEL_W}" y2="${gy}" stroke="#e4e4e4"/>`);
      if (i === 0) out.push(`<text x="-6" y="${fmt(y(10 ** e) + 4)}" text-anchor="end">${rateLabel(10 ** e)}</text>`);
    }
    for (const size of sizes) {
      const gx = fmt(x(size));
      out.push(`<line x1="${gx}" y1="0" x2="${gx}" y2="${PANEL_H}" stroke="#f0f0f0"/>`);
      out.push(
        `<text x="${gx}" y="${PANEL_H + 14}" text-anchor="middle" font-size="9">${escape(sizeLabel(size))}</text>`,
      );
    }
    out.push(
      `<text x="${PANEL_W / 2}" y="-8" text-anchor="middle" font-weight="bold">${escape(panel.transport)}</text>`,
    );
    for (const s of panel.series) {
      if (s.points.length === 0) continue;
      const path = s.points.map(([size, v], k) => `${k === 0 ? "M" : "L"}${fmt(x(size))},${fmt(y(v))}`).join(" ");
      out.push(
        `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"` +
          `${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}><title>${escape(s.label)}</title></path>`,
      );
      for (const [size, v] of s.points) {
        out.push(
          `<circle cx="${fmt(x(size))}" cy="${fmt(y(v))}" r="3" fill="${s.color}">` +
            `<title>${escape(`${s.label}, ${panel.transport}, ${sizeLabel(size)}: ${Math.round(v)} msg/s`)}</title>` +
            `</circle>`,
        );
      }
    }
    out.push(`</g>`);
  });
  out.push(
    `<text x="${LEFT + (width - LEFT) / 2}" y="${height - 10}" text-anchor="middle">message size</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}
