import { loadTrace, type Trace, type TraceStep } from "./load_trace.ts";

/**
 * Options of `showTrace`.
 *
 * @example Show reasoning and full errors
 * ```ts ignore
 * console.log(await showTrace(".traces/hello", { verbose: true }));
 * ```
 */
export interface ShowTraceOptions {
  /** Show each step's reasoning and full error under its line. @default false */
  readonly verbose?: boolean;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function thousands(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function cut(text: string, limit: number): string {
  const flat = text.replaceAll("\n", " ");
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The short result shown after the arrow. */
function tail(step: TraceStep): string {
  if (step.error !== undefined) return `ERROR: ${cut(step.error, 40)}`;
  const data = step.data;
  if (data === null || data === undefined) return "";
  if (Array.isArray(data)) return `${data.length} items`;
  if (isPlainObject(data)) {
    if (typeof data.total_items === "number") return `${data.total_items} items`;
    const entries = Object.entries(data);
    const [entry] = entries;
    if (entry !== undefined && entries.length === 1) {
      const [key, value] = entry;
      return cut(`${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`, 30);
    }
    return `${entries.length} keys`;
  }
  return cut(typeof data === "string" ? data : JSON.stringify(data), 30);
}

function statusGlyph(trace: Trace): string {
  if (!trace.complete) return "…";
  if (trace.stopReason === "done") return "✓";
  if (trace.stopReason === "llm_error" || trace.stopReason === "error") return "✗";
  return "·";
}

/**
 * Total wall time: end minus start when both are known, else the sum of step (or call) times.
 *
 * @example Report how long a run took
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello");
 * console.log(`${(traceDurationMs(trace) / 1000).toFixed(1)} s`);
 * ```
 */
export function traceDurationMs(trace: Trace): number {
  if (trace.startedAt !== undefined && trace.endedAt !== undefined) {
    const ms = Date.parse(trace.endedAt) - Date.parse(trace.startedAt);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  const steps = trace.steps.reduce((sum, step) => sum + step.durationMs, 0);
  return steps > 0 ? steps : trace.calls.reduce((sum, call) => sum + call.durationMs, 0);
}

function taskText(task: unknown): string | undefined {
  if (task === null || task === undefined) return undefined;
  if (typeof task === "string") return task;
  if (isPlainObject(task) && typeof task.description === "string") return task.description;
  return JSON.stringify(task);
}

/**
 * Render a loaded trace as a one-page text summary: a header (run id, status,
 * steps, calls, time), one line per step, and model-call totals.
 *
 * @param trace A trace from `loadTrace`.
 * @param options Verbosity.
 * @returns The summary (lines joined with `\n`, ending with a newline).
 * @example Render a trace
 * ```ts ignore
 * console.log(renderTraceText(await loadTrace(".traces/hello")));
 * ```
 */
export function renderTraceText(trace: Trace, options: ShowTraceOptions = {}): string {
  const { verbose = false } = options;
  const status = trace.complete ? trace.stopReason ?? "ended" : "incomplete";
  const lines = [
    `${trace.runId}  ${statusGlyph(trace)} ${status}  ${plural(trace.steps.length, "step")}  ${
      plural(trace.calls.length, "LLM call")
    }  ${thousands(traceDurationMs(trace))}ms`,
  ];
  const task = taskText(trace.task);
  if (task !== undefined) lines.push(`task: ${cut(task, 100)}`);
  if (trace.source === "reference") lines.push("format: reference (Python looplet) trace");
  for (const warning of trace.warnings) lines.push(`warning: ${warning}`);
  lines.push("");
  const width = Math.min(
    48,
    Math.max(0, ...trace.steps.map((step) => `${step.tool}(${step.argsSummary})`.length)),
  );
  for (const step of trace.steps) {
    const head = cut(`${step.tool}(${step.argsSummary})`, 48).padEnd(width);
    const glyph = step.error !== undefined ? "✗" : "✓";
    const shown = tail(step);
    const calls = step.llmCallIndices.length === 0 ? "" : ` call ${step.llmCallIndices.join(",")}`;
    lines.push(
      `#${String(step.number).padEnd(3)} ${glyph} ${head} → ${shown.padEnd(30)} [${
        String(Math.round(step.durationMs)).padStart(5)
      }ms]${calls}`.trimEnd(),
    );
    if (verbose) {
      if (step.reasoning !== "") lines.push(`       reasoning: ${cut(step.reasoning, 200)}`);
      if (step.error !== undefined) lines.push(`       error: ${cut(step.error, 400)}`);
    }
  }
  if (trace.steps.length === 0) lines.push("(no steps)");
  lines.push("");
  const promptChars = trace.calls.reduce((sum, call) => sum + call.promptChars, 0);
  const responseChars = trace.calls.reduce((sum, call) => sum + call.responseChars, 0);
  const errors = trace.calls.filter((call) => call.error !== null).length;
  let llm = `LLM: ${plural(trace.calls.length, "call")}, ${thousands(promptChars)} in / ${
    thousands(responseChars)
  } out chars, ${plural(errors, "error")}`;
  const usage = trace.usage;
  if (usage !== undefined) {
    llm += `; tokens: ${thousands(usage.inputTokens)} in / ${thousands(usage.outputTokens)} out`;
  }
  lines.push(llm);
  const toolCalls = trace.calls.filter((call) => call.scope !== null && call.scope !== "hook");
  if (toolCalls.length > 0) lines.push(`     ${plural(toolCalls.length, "call")} made by tools`);
  if (trace.finalAnswer !== null && trace.finalAnswer !== undefined) {
    const answer = typeof trace.finalAnswer === "string"
      ? trace.finalAnswer
      : JSON.stringify(trace.finalAnswer);
    lines.push(`answer: ${cut(answer, 100)}`);
  }
  const modes = trace.metadata.failure_modes;
  if (Array.isArray(modes)) { for (const mode of modes) lines.push(`!! ${mode}`); }
  return lines.join("\n") + "\n";
}

/**
 * Read a trace directory and render its one-page summary (see `renderTraceText`).
 *
 * @param dir The trace directory.
 * @param options Verbosity.
 * @returns The summary text.
 * @throws {TraceError} When the directory cannot be read as a trace.
 * @example Show a trace
 * ```ts ignore
 * console.log(await showTrace(".traces/hello"));
 * ```
 */
export async function showTrace(dir: string, options: ShowTraceOptions = {}): Promise<string> {
  return renderTraceText(await loadTrace(dir), options);
}
