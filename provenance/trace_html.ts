import { join } from "node:path";
import { atomicWrite } from "../internal/atomic_write.ts";
import { loadTrace, type Trace, type TraceCall, type TraceStep } from "./load_trace.ts";
import { traceDurationMs } from "./show_trace.ts";
import { escapeHtml, failure, json, modelNames, ms, stepTail, STYLE, valueHtml } from "./_html.ts";

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

const SCRIPT = `
document.getElementById("expand-all").addEventListener("click", () => {
  document.querySelectorAll("details.step").forEach((d) => d.open = true);
});
document.getElementById("collapse-all").addEventListener("click", () => {
  document.querySelectorAll("details.step").forEach((d) => d.open = false);
});
const search = document.getElementById("search");
const failedOnly = document.getElementById("failed-only");
// A step's own text: summary, reasoning, arguments, result; not its model calls' prompts.
function stepText(step) {
  const parts = step.querySelectorAll(":scope > summary, :scope > .body > :not(details.call)");
  return [...parts].map((part) => part.textContent).join(" ").toLowerCase();
}
function filterSteps() {
  const query = search.value.trim().toLowerCase();
  const steps = [...document.querySelectorAll("details.step")];
  let shown = 0;
  for (const step of steps) {
    const match = (!failedOnly.checked || step.classList.contains("failed")) &&
      (query === "" || stepText(step).includes(query));
    step.hidden = !match;
    if (match) shown++;
  }
  document.getElementById("match-count").textContent =
    shown === steps.length ? "" : shown + " of " + steps.length + " steps";
}
search.addEventListener("input", filterSteps);
failedOnly.addEventListener("change", filterSteps);
document.querySelectorAll(".bar[data-target]").forEach((bar) => {
  bar.addEventListener("click", () => {
    const target = document.getElementById(bar.dataset.target);
    if (!target) return;
    target.open = true;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
  });
});
`;

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
  const failed = failure(step) !== undefined;
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
<h3>Arguments</h3>${valueHtml(step.args, "args")}
${
    step.error !== undefined
      ? `<h3>Error${
        step.errorKind ? ` (${escapeHtml(step.errorKind)})` : ""
      }</h3><pre class="result error">${escapeHtml(step.error)}</pre>`
      : `<h3>Result${failed ? ` (failed: ${escapeHtml(failure(step)!)})` : ""}</h3>${
        valueHtml(step.data, "result")
      }`
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
      failure(step) !== undefined ? " failed" : ""
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
 * Options of `renderTraceHtml` and `writeTraceHtml`.
 *
 * @example A page that reloads itself while the run goes on
 * ```ts ignore
 * const html = renderTraceHtml(trace, { refreshSeconds: 2 });
 * ```
 */
export interface TraceHtmlOptions {
  /** Reload the page every so many seconds while the trace is incomplete (live mode). @default never */
  readonly refreshSeconds?: number;
}

/**
 * Render a trace as one self-contained HTML page (inline CSS and script, no
 * network): a header, a timeline of model calls and steps, every step
 * expandable to its arguments, result and model calls (prompt and response),
 * and a table of token use per call.
 *
 * @param trace A trace loaded with `loadTrace(dir, { bodies: true })`.
 * @param options Live reloading.
 * @returns The HTML document.
 * @example Write the viewer for a trace
 * ```ts ignore
 * const html = renderTraceHtml(await loadTrace(".traces/hello", { bodies: true }));
 * await Deno.writeTextFile("trace.html", html);
 * ```
 */
export function renderTraceHtml(trace: Trace, options: TraceHtmlOptions = {}): string {
  const { refreshSeconds } = options;
  const status = trace.complete ? trace.stopReason ?? "ended" : "incomplete";
  const models = modelNames(trace);
  const calls = new Map(trace.calls.map((call) => [call.index, call]));
  const usage = trace.usage;
  const failed = trace.steps.filter((step) => failure(step) !== undefined).length;
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
<meta name="viewport" content="width=device-width, initial-scale=1">${
    refreshSeconds !== undefined && !trace.complete
      ? `\n<meta http-equiv="refresh" content="${refreshSeconds}">`
      : ""
  }
<title>${escapeHtml(`Trace ${trace.runId} · ${status}`)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Trace <code>${escapeHtml(trace.runId)}</code> <span class="badge ${
    escapeHtml(status)
  }" id="status">${escapeHtml(status)}</span></h1>
<div class="meta">${escapeHtml(trace.startedAt ?? "")}${
    trace.source === "reference" ? " · reference (Python looplet) format" : ""
  }</div>
${
    models.length > 0
      ? `<div class="meta">Model: <span class="model" id="model">${
        escapeHtml(models.join(", "))
      }</span></div>`
      : ""
  }
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
<div class="toolbar"><button id="expand-all" type="button">Expand all</button> <button id="collapse-all" type="button">Collapse all</button>
<input id="search" type="search" placeholder="Search steps: tool, arguments, results" aria-label="Search steps">
<label><input id="failed-only" type="checkbox"> Failed only</label><span id="match-count"></span></div>
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
 * @param options Live reloading.
 * @returns The path written.
 * @throws {TraceError} When the trace cannot be read.
 * @example Write `trace.html` next to the trace
 * ```ts ignore
 * const path = await writeTraceHtml(".traces/hello");
 * ```
 */
export async function writeTraceHtml(
  dir: string,
  outFile?: string,
  options: TraceHtmlOptions = {},
): Promise<string> {
  const trace = await loadTrace(dir, { bodies: true });
  const path = outFile ?? join(dir, "trace.html");
  await atomicWrite(path, renderTraceHtml(trace, options));
  return path;
}
