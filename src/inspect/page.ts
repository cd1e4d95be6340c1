/**
 * The inspector page: its HTML and style sheet. Nothing in them comes from
 * users or peers (names and addresses arrive later as data and are set as
 * text); the only variable part is the access token, escaped.
 *
 * @module
 */

import { escapeXml } from "./svg.ts";

/** The page's style sheet. */
export const INSPECTOR_CSS: string = `
:root{color-scheme:light;--fg:#1f2937;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--accent:#b45309;--ok:#15803d;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:center;padding:8px 14px;background:#fff;border-bottom:1px solid var(--line)}
h1{font-size:15px;margin:0 8px 0 0}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:14px 0 6px}
#filter{flex:1 1 220px;max-width:360px;padding:4px 8px;border:1px solid #cbd5e1;border-radius:6px;font:inherit}
button{font:inherit;padding:4px 10px;border:1px solid #cbd5e1;border-radius:6px;background:#fff;cursor:pointer}
button[aria-pressed=true]{background:#fef3c7;border-color:#d97706}
.status{padding:2px 8px;border-radius:10px;background:#e2e8f0;font-size:12px}
.status.live{background:#dcfce7;color:var(--ok)}.status.paused{background:#fef3c7;color:var(--accent)}.status.down{background:#fee2e2;color:var(--bad)}
#summary{color:var(--muted);font-size:12px}
body{height:100vh;display:flex;flex-direction:column}
main{flex:1;min-height:0;display:grid;grid-template-columns:minmax(420px,1.2fr) minmax(380px,1fr);gap:14px;padding:0 14px}
section{min-width:0;overflow:auto;padding-bottom:14px}
.mono,.name,.rates,.queues,.counters,.detail,td{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}
.socket{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0 0 8px;padding:4px 0;contain:content}
.rates,.queues,.counters{font-variant-numeric:tabular-nums}
.row{display:flex;flex-wrap:wrap;gap:2px 10px;align-items:baseline;padding:3px 10px;cursor:pointer;border-left:3px solid transparent}
.row:hover{background:#f1f5f9}
.row.selected{background:#fffbeb;border-left-color:#d97706}
.endpoint>.row,.row.machine{padding-left:26px}
.pipe{padding-left:44px}
.name{font-weight:600;word-break:break-all}
.proto{color:#0f766e}
.state{padding:0 6px;border-radius:8px;background:#e0f2fe;color:#075985;font-size:11px}
.state.ended{background:#e2e8f0;color:#475569}
.state.failed{background:#fee2e2;color:var(--bad)}
.rates,.counters,.queues{color:#334155}
.detail{color:#334155;word-break:break-word}
.drops{color:var(--bad)}
.more{color:var(--muted);padding:2px 44px}
#ended{list-style:none;margin:0;padding:0}
#ended .row{padding-left:10px}
#detail-title{font-size:13px;text-transform:none;letter-spacing:0;color:var(--fg);word-break:break-all}
#diagram{overflow:auto;background:#fff;border:1px solid var(--line);border-radius:8px;max-height:60vh}
#diagram:empty{display:none}
#diagram svg{display:block;max-width:100%;height:auto}
.alias{color:#7c3aed}
td.failed,.detail.failed{color:var(--bad)}
td.detail{color:#334155}
table{border-collapse:collapse;width:100%;background:#fff;margin-top:8px}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:11px;color:var(--muted);font-weight:600}
td.detail{max-width:340px}
#report-panel{position:fixed;inset:10% 10%;background:#fff;border:1px solid #94a3b8;border-radius:8px;padding:10px;display:flex;flex-direction:column;gap:8px;box-shadow:0 10px 30px rgba(0,0,0,.2)}
#report-panel[hidden]{display:none}
#report{flex:1;width:100%;font:12px/1.4 ui-monospace,'DejaVu Sans Mono',Menlo,monospace;white-space:pre}
.empty{color:var(--muted);padding:8px 0}
`;

/**
 * The page's HTML. The token, when the inspector needs one, goes into the
 * URLs of the script and style sheet (the script reads it from the page's
 * own address for everything else).
 *
 * @example Usage
 * ```ts
 * import { inspectorPage } from "./page.ts";
 * console.log(inspectorPage(undefined).includes('src="inspector.js"')); // true
 * ```
 *
 * @param token the access token, if any
 * @returns the HTML
 */
export function inspectorPage(token: string | undefined): string {
  const query = token === undefined ? "" : escapeXml(`?token=${encodeURIComponent(token)}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>nanomsg inspector</title>
<link rel="stylesheet" href="inspector.css${query}">
<script type="module" src="inspector.js${query}"></script>
</head>
<body>
<header>
<h1>nanomsg inspector</h1>
<span id="status" class="status">connecting…</span>
<input id="filter" type="search" placeholder="filter: socket, protocol, address" aria-label="Filter sockets">
<button id="pause" type="button" aria-pressed="false">Pause</button>
<button id="copy" type="button">Copy as text</button>
<span id="summary"></span>
</header>
<main>
<section id="overview">
<h2>Topology</h2>
<div id="topology"><p class="empty">No socket yet.</p></div>
<h2>Recently ended</h2>
<ol id="ended"></ol>
</section>
<section id="detail">
<h2 id="detail-title">Select a socket, endpoint or pipe</h2>
<div id="diagram"></div>
<table id="timeline"><thead><tr><th>time</th><th>state</th><th>event</th><th>detail</th></tr></thead><tbody></tbody></table>
</section>
</main>
<div id="report-panel" hidden>
<textarea id="report" readonly aria-label="The inspector's state as text"></textarea>
<div><button id="report-close" type="button">Close</button> <span id="report-status"></span></div>
</div>
</body>
</html>
`;
}
