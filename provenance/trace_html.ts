import { join } from "node:path";
import { atomicWrite } from "../internal/atomic_write.ts";
import { loadTrace, type Trace, type TraceCall, type TraceStep } from "./load_trace.ts";
import { traceDurationMs } from "./show_trace.ts";

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function json(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)}s`;
  if (value >= 100) return `${Math.round(value)}ms`;
  return `${value.toFixed(1)}ms`;
}

function tokens(call: TraceCall): string {
  if (call.usage === undefined) return "–";
  return `${call.usage.inputTokens.toLocaleString("en-US")} in / ${
    call.usage.outputTokens.toLocaleString("en-US")
  } out`;
}

function taskText(task: unknown): string {
  if (task === null || task === undefined) return "";
  if (typeof task === "string") return task;
  return json(task);
}

const STYLE = `
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
.toolbar { margin:8px 0; } button { font:inherit; padding:4px 10px; border-radius:6px; border:1px solid var(--line); background:var(--card); color:var(--ink); cursor:pointer; }
footer { margin-top:40px; color:var(--mute); font-size:12px; }
`;

const SCRIPT = `
document.getElementById("expand-all").addEventListener("click", () => {
  document.querySelectorAll("details.step").forEach((d) => d.open = true);
});
document.getElementById("collapse-all").addEventListener("click", () => {
  document.querySelectorAll("details.step").forEach((d) => d.open = false);
});
document.querySelectorAll(".bar[data-target]").forEach((bar) => {
  bar.addEventListener("click", () => {
    const target = document.getElementById(bar.dataset.target);
    if (!target) return;
    target.open = true;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
  });
});
`;

function stepTail(step: TraceStep): string {
  if (step.error !== undefined) return `ERROR: ${(step.error.split("\n")[0] ?? "").slice(0, 80)}`;
  const text = json(step.data).replaceAll(/\s+/g, " ");
  return text.length > 80 ? text.slice(0, 79) + "…" : text;
}

function callBlock(call: TraceCall): string {
  const title = `call ${call.index} · ${call.scope ?? "loop"} · ${ms(call.durationMs)} · ${
    tokens(call)
  }${call.error !== null ? " · error" : ""}`;
  return `<details class="call" data-call="${call.index}"><summary>${escapeHtml(title)}</summary>
<h3>Prompt</h3><pre class="prompt">${escapeHtml(call.prompt ?? "(prompt file missing)")}</pre>
<h3>Response</h3><pre class="response">${
    escapeHtml(call.responseText ?? "(response file missing)")
  }</pre>
</details>`;
}

function stepBlock(step: TraceStep, calls: ReadonlyMap<number, TraceCall>): string {
  const failed = step.error !== undefined;
  const linked = step.llmCallIndices
    .map((index) => calls.get(index))
    .filter((call): call is TraceCall => call !== undefined);
  const stepTokens = step.usage === undefined
    ? ""
    : ` · ${step.usage.inputTokens.toLocaleString("en-US")}/${
      step.usage.outputTokens.toLocaleString("en-US")
    } tok`;
  return `<details class="step${
    failed ? " failed" : ""
  }" id="step-${step.number}" data-step="${step.number}">
<summary><span class="num">#${step.number}</span><span class="glyph ${failed ? "bad" : "ok"}">${
    failed ? "✗" : "✓"
  }</span><span class="head">${
    escapeHtml(`${step.tool}(${step.argsSummary}) → ${stepTail(step)}`)
  }</span><span class="dur">${ms(step.durationMs)}${escapeHtml(stepTokens)}${
    step.turn !== undefined ? ` · turn ${step.turn}` : ""
  }</span></summary>
<div class="body">
${
    step.reasoning !== ""
      ? `<h3>Reasoning</h3><pre class="reasoning">${escapeHtml(step.reasoning)}</pre>`
      : ""
  }
<h3>Arguments</h3><pre class="args">${escapeHtml(json(step.args))}</pre>
${
    failed
      ? `<h3>Error${
        step.errorKind ? ` (${escapeHtml(step.errorKind)})` : ""
      }</h3><pre class="result error">${escapeHtml(step.error!)}</pre>`
      : `<h3>Result</h3><pre class="result">${escapeHtml(json(step.data))}</pre>`
  }
${linked.length > 0 ? `<h3>Model calls</h3>${linked.map(callBlock).join("\n")}` : ""}
</div></details>`;
}

function timeline(trace: Trace): string {
  const start = trace.startedAt !== undefined ? Date.parse(trace.startedAt) : NaN;
  const total = Math.max(traceDurationMs(trace), 1);
  const position = (timestamp: string | undefined, fallback: number): number => {
    const at = timestamp !== undefined ? Date.parse(timestamp) : NaN;
    return Number.isFinite(at) && Number.isFinite(start) ? Math.max(0, at - start) : fallback;
  };
  let cursor = 0;
  const stepBars = trace.steps.map((step) => {
    const left = position(step.timestamp, cursor);
    cursor = left + step.durationMs;
    return `<div class="bar${
      step.error !== undefined ? " failed" : ""
    }" data-target="step-${step.number}" title="${
      escapeHtml(`#${step.number} ${step.tool} · ${ms(step.durationMs)}`)
    }" style="left:${(left / total * 100).toFixed(3)}%;width:${
      (step.durationMs / total * 100).toFixed(3)
    }%"></div>`;
  });
  cursor = 0;
  const callBars = trace.calls.map((call) => {
    const left = position(call.timestamp, cursor);
    cursor = left + call.durationMs;
    const target = call.stepNum !== null ? ` data-target="step-${call.stepNum}"` : "";
    return `<div class="bar call"${target} title="${
      escapeHtml(
        `call ${call.index} · ${call.scope ?? "loop"} · ${ms(call.durationMs)} · ${tokens(call)}`,
      )
    }" style="left:${(left / total * 100).toFixed(3)}%;width:${
      (call.durationMs / total * 100).toFixed(3)
    }%"></div>`;
  });
  const turns = new Map<number, { start: number; end: number; steps: number[] }>();
  cursor = 0;
  for (const step of trace.steps) {
    if (step.turn === undefined) continue;
    const end = position(step.timestamp, cursor) + step.durationMs;
    cursor = end;
    const calls = step.llmCallIndices
      .map((index) => trace.calls.find((call) => call.index === index))
      .filter((call): call is TraceCall => call !== undefined && call.scope === null);
    const start = Math.min(
      position(step.timestamp, end - step.durationMs),
      ...calls.map((call) => position(call.timestamp, end)),
    );
    const turn = turns.get(step.turn) ?? { start, end, steps: [] };
    turn.start = Math.min(turn.start, start);
    turn.end = Math.max(turn.end, end);
    turn.steps.push(step.number);
    turns.set(step.turn, turn);
  }
  const turnBars = [...turns.entries()].map(([number, turn]) =>
    `<div class="bar turn" data-target="step-${turn.steps[0]}" title="${
      escapeHtml(`turn ${number} · steps ${turn.steps.join(", ")} · ${ms(turn.end - turn.start)}`)
    }" style="left:${(turn.start / total * 100).toFixed(3)}%;width:${
      ((turn.end - turn.start) / total * 100).toFixed(3)
    }%"></div>`
  );
  return `<div class="timeline" aria-label="timeline">
${
    turnBars.length > 0
      ? `<div class="lane"><label>turns</label><div class="track">${turnBars.join("")}</div></div>`
      : ""
  }
<div class="lane"><label>model</label><div class="track">${callBars.join("")}</div></div>
<div class="lane"><label>steps</label><div class="track">${stepBars.join("")}</div></div>
</div>`;
}

function callTable(trace: Trace): string {
  if (trace.calls.length === 0) return '<p class="meta">No model calls recorded.</p>';
  const most = Math.max(
    1,
    ...trace.calls.map((call) => (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0)),
  );
  const rows = trace.calls.map((call) => {
    const sum = (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
    return `<tr data-call="${call.index}"><td>${call.index}</td><td>${
      escapeHtml(call.scope ?? "loop")
    }</td><td>${call.stepNum ?? "–"}</td><td>${call.turn ?? "–"}</td><td>${
      ms(call.durationMs)
    }</td><td>${escapeHtml(tokens(call))} <span class="tokbar" style="width:${
      Math.round(sum / most * 80)
    }px"></span></td><td>${call.promptChars.toLocaleString("en-US")} / ${
      call.responseChars.toLocaleString("en-US")
    }</td><td>${
      call.error !== null
        ? `<span class="glyph bad">${escapeHtml(call.error.slice(0, 60))}</span>`
        : "ok"
    }</td></tr>`;
  });
  return `<table class="calls"><thead><tr><th>#</th><th>scope</th><th>step</th><th>turn</th><th>time</th><th>tokens</th><th>chars in / out</th><th>status</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

/**
 * Render a trace as one self-contained HTML page (inline CSS and script, no
 * network): a header, a timeline of model calls and steps, every step
 * expandable to its arguments, result and model calls (prompt and response),
 * and a table of token use per call.
 *
 * @param trace A trace loaded with `loadTrace(dir, { bodies: true })`.
 * @returns The HTML document.
 * @example Write the viewer for a trace
 * ```ts ignore
 * const html = renderTraceHtml(await loadTrace(".traces/hello", { bodies: true }));
 * await Deno.writeTextFile("trace.html", html);
 * ```
 */
export function renderTraceHtml(trace: Trace): string {
  const status = trace.complete ? trace.stopReason ?? "ended" : "incomplete";
  const calls = new Map(trace.calls.map((call) => [call.index, call]));
  const usage = trace.usage;
  const failed = trace.steps.filter((step) => step.error !== undefined).length;
  const cards = ([
    [String(trace.steps.length), "steps"],
    [String(failed), "failed steps"],
    [String(trace.calls.length), "model calls"],
    [ms(traceDurationMs(trace)), "wall time"],
    [usage ? usage.inputTokens.toLocaleString("en-US") : "–", "input tokens"],
    [usage ? usage.outputTokens.toLocaleString("en-US") : "–", "output tokens"],
  ] satisfies [string, string][]).map(([value, label]) =>
    `<div class="card"><b>${escapeHtml(value)}</b><span>${label}</span></div>`
  );
  const answer = trace.finalAnswer !== null && trace.finalAnswer !== undefined
    ? `<h2>Final answer</h2><pre class="answer">${escapeHtml(json(trace.finalAnswer))}</pre>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Trace ${trace.runId} · ${status}`)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Trace <code>${escapeHtml(trace.runId)}</code> <span class="badge ${
    escapeHtml(status)
  }" id="status">${escapeHtml(status)}</span></h1>
<div class="meta">${escapeHtml(trace.startedAt ?? "")}${
    trace.source === "reference" ? " · reference (Python looplet) format" : ""
  }</div>
${trace.warnings.map((w) => `<p class="warning">⚠ ${escapeHtml(w)}</p>`).join("\n")}
<div class="cards">${cards.join("")}</div>
${
    taskText(trace.task) !== ""
      ? `<h2>Task</h2><div class="task">${escapeHtml(taskText(trace.task))}</div>`
      : ""
  }
<h2>Timeline</h2>
${timeline(trace)}
<h2>Steps</h2>
<div class="toolbar"><button id="expand-all" type="button">Expand all</button> <button id="collapse-all" type="button">Collapse all</button></div>
<div id="steps">
${trace.steps.map((step) => stepBlock(step, calls)).join("\n")}
</div>
${answer}
<h2>Model calls</h2>
${callTable(trace)}
<footer>Written by looplet from ${escapeHtml(trace.dir)} · format ${trace.formatVersion}</footer>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

/**
 * Read a trace directory and write its HTML viewer (see `renderTraceHtml`).
 *
 * @param dir The trace directory.
 * @param outFile Where to write. @default `<dir>/trace.html`
 * @returns The path written.
 * @throws {TraceError} When the trace cannot be read.
 * @example Write `trace.html` next to the trace
 * ```ts ignore
 * const path = await writeTraceHtml(".traces/hello");
 * ```
 */
export async function writeTraceHtml(dir: string, outFile?: string): Promise<string> {
  const trace = await loadTrace(dir, { bodies: true });
  const path = outFile ?? join(dir, "trace.html");
  await atomicWrite(path, renderTraceHtml(trace));
  return path;
}
