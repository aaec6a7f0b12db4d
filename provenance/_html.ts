/** HTML pieces the trace viewer and the trace diff share (private to provenance/). */
import type { Trace, TraceStep } from "./load_trace.ts";

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function json(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A string that holds a JSON object or array, parsed; otherwise `undefined`. */
function jsonInText(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/**
 * A tool's output as a reader wants it: text as text (lines kept), JSON (also
 * JSON held in a string) indented, and an object whose strings span lines
 * (bash's stdout, a file's content) as one block per field.
 */
export function valueHtml(value: unknown, kind: string): string {
  if (typeof value === "string") {
    const parsed = jsonInText(value);
    if (parsed !== undefined) return valueHtml(parsed, kind);
    return `<pre class="${kind} text">${escapeHtml(value)}</pre>`;
  }
  const isPlain = typeof value === "object" && value !== null && !Array.isArray(value);
  if (isPlain && Object.values(value).some((v) => typeof v === "string" && v.includes("\n"))) {
    const fields = Object.entries(value).map(([key, field]) =>
      `<div class="field"><span class="key">${escapeHtml(key)}</span>${
        typeof field === "string"
          ? `<pre class="${kind} text">${escapeHtml(field)}</pre>`
          : `<pre class="${kind} json">${escapeHtml(json(field))}</pre>`
      }</div>`
    );
    return `<div class="fields">${fields.join("")}</div>`;
  }
  return `<pre class="${kind} json">${escapeHtml(json(value))}</pre>`;
}

/** Why a step failed: its error, or a command that exited non-zero or timed out. */
export function failure(step: TraceStep): string | undefined {
  if (step.error !== undefined) return step.error;
  const data = step.data as { exit_code?: unknown; timed_out?: unknown } | null;
  if (typeof data !== "object" || data === null) return undefined;
  if (data.timed_out === true) return "timed out";
  if (typeof data.exit_code === "number" && data.exit_code !== 0) return `exit ${data.exit_code}`;
  return undefined;
}

/** The models a trace names: `metadata.model`, then each call's reported model. */
export function modelNames(trace: Trace): string[] {
  const names = new Set<string>();
  if (typeof trace.metadata.model === "string") names.add(trace.metadata.model);
  for (const call of trace.calls) if (call.model !== undefined) names.add(call.model);
  return [...names];
}

export function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)}s`;
  if (value >= 100) return `${Math.round(value)}ms`;
  return `${value.toFixed(1)}ms`;
}

export function stepTail(step: TraceStep): string {
  if (step.error !== undefined) return `ERROR: ${(step.error.split("\n")[0] ?? "").slice(0, 80)}`;
  const failed = failure(step);
  if (failed !== undefined) return `FAILED (${failed})`;
  const text = json(step.data).replaceAll(/\s+/g, " ");
  return text.length > 80 ? text.slice(0, 79) + "…" : text;
}

export const STYLE = `
:root { --bg:#f7f7f9; --card:#fff; --ink:#1d1d22; --mute:#6b6b76; --line:#e3e3ea;
  --ok:#1f8a4c; --bad:#c62828; --accent:#3b5bdb; --call:#9c6ade; --tool:#f08c00; }
@media (prefers-color-scheme: dark) { :root { --bg:#15161a; --card:#1e2026; --ink:#e8e8ee;
  --mute:#9a9aa8; --line:#30323a; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; background:var(--bg); color:var(--ink); }
main { max-width:1100px; margin:0 auto; padding:24px 20px 60px; }
h1 { font-size:20px; margin:0 0 4px; } h2 { font-size:15px; margin:28px 0 10px; color:var(--mute); text-transform:uppercase; letter-spacing:.06em; }
.meta { color:var(--mute); }
.badge { display:inline-block; padding:2px 10px; border-radius:999px; font-weight:600; font-size:12px; color:#fff; background:var(--mute); vertical-align:middle; }
.badge.done { background:var(--ok); } .badge.llm_error, .badge.error { background:var(--bad); } .badge.incomplete { background:var(--tool); }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(140px,1fr)); gap:10px; margin:16px 0; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 14px; }
.card b { display:block; font-size:20px; } .card span { color:var(--mute); font-size:12px; }
.task { background:var(--card); border:1px solid var(--line); border-left:4px solid var(--accent); border-radius:8px; padding:10px 14px; white-space:pre-wrap; }
.warning { color:var(--tool); }
.timeline { position:relative; background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px; }
.lane { position:relative; height:22px; margin:3px 0; }
.lane label { position:absolute; left:0; width:70px; color:var(--mute); font-size:12px; line-height:22px; }
.track { position:absolute; left:76px; right:0; top:0; bottom:0; border-left:1px dashed var(--line); }
.bar { position:absolute; top:3px; height:16px; min-width:3px; border-radius:4px; background:var(--ok); cursor:pointer; opacity:.9; }
.bar.failed { background:var(--bad); } .bar.call { background:var(--call); } .bar.turn { background:var(--accent); opacity:.55; } .bar:hover { opacity:1; outline:2px solid var(--accent); }
details.step { background:var(--card); border:1px solid var(--line); border-radius:10px; margin:8px 0; }
details.step[open] { border-color:var(--accent); }
details.step > summary { list-style:none; cursor:pointer; padding:10px 14px; display:grid; grid-template-columns:48px 22px 1fr auto; gap:8px; align-items:center; }
details.step > summary::-webkit-details-marker { display:none; }
.num { color:var(--mute); font-variant-numeric:tabular-nums; } .glyph.ok { color:var(--ok); } .glyph.bad { color:var(--bad); }
.head { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:13px; }
.dur { color:var(--mute); font-variant-numeric:tabular-nums; font-size:12px; white-space:nowrap; }
.body { padding:0 14px 14px 14px; border-top:1px solid var(--line); }
.body h3 { font-size:12px; color:var(--mute); margin:12px 0 4px; text-transform:uppercase; letter-spacing:.05em; }
pre { margin:0; padding:10px; background:var(--bg); border:1px solid var(--line); border-radius:6px; overflow:auto; max-height:420px; font:12px/1.45 ui-monospace,Menlo,Consolas,monospace; white-space:pre-wrap; word-break:break-word; }
pre.error { border-color:var(--bad); }
details.call { margin:6px 0; } details.call > summary { cursor:pointer; color:var(--call); }
table { border-collapse:collapse; width:100%; background:var(--card); border:1px solid var(--line); border-radius:10px; overflow:hidden; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); font-variant-numeric:tabular-nums; }
th { color:var(--mute); font-weight:600; font-size:12px; }
.tokbar { display:inline-block; height:8px; border-radius:4px; background:var(--call); vertical-align:middle; }
.fields .key { display:block; color:var(--mute); font-size:12px; margin:6px 0 2px; }
.model { font-family:ui-monospace,Menlo,Consolas,monospace; }
input[type=search] { font:inherit; padding:4px 8px; border-radius:6px; border:1px solid var(--line); background:var(--card); color:var(--ink); min-width:260px; }
#match-count { color:var(--mute); margin-left:8px; }
.diff { table-layout:fixed; } .diff td { vertical-align:top; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12px; white-space:pre-wrap; word-break:break-word; }
tr.changed td { background:rgba(240,140,0,.12); } tr.removed td.a, tr.added td.b { background:rgba(198,40,40,.10); }
tr.removed td.b, tr.added td.a { color:var(--mute); }
.toolbar { margin:8px 0; } button { font:inherit; padding:4px 10px; border-radius:6px; border:1px solid var(--line); background:var(--card); color:var(--ink); cursor:pointer; }
footer { margin-top:40px; color:var(--mute); font-size:12px; }
`;
