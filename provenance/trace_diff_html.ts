import { atomicWrite } from "../internal/atomic_write.ts";
import { loadTrace, type Trace, type TraceStep } from "./load_trace.ts";
import { escapeHtml, failure, json, modelNames, ms, stepTail, STYLE, valueHtml } from "./_html.ts";
import { traceDurationMs } from "./show_trace.ts";

/** One row of the diff: a step of A, of B, or of both. */
type Row =
  | { readonly kind: "same" | "changed"; readonly a: TraceStep; readonly b: TraceStep }
  | { readonly kind: "removed"; readonly a: TraceStep }
  | { readonly kind: "added"; readonly b: TraceStep };

/** What two steps must share to be the same step of two runs: the tool and its arguments. */
function callKey(step: TraceStep): string {
  return `${step.tool}\u0000${json(step.args)}`;
}

function outcomeKey(step: TraceStep): string {
  return `${failure(step) ?? ""}\u0000${json(step.data)}`;
}

/** Pair the steps of two runs by a longest common subsequence of their calls. */
function alignSteps(a: readonly TraceStep[], b: readonly TraceStep[]): Row[] {
  const keysA = a.map(callKey);
  const keysB = b.map(callKey);
  const lengths = Array.from(
    { length: a.length + 1 },
    () => new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = keysA[i] === keysB[j]
        ? lengths[i + 1]![j + 1]! + 1
        : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const rows: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && keysA[i] === keysB[j]) {
      const kind = outcomeKey(a[i]!) === outcomeKey(b[j]!) ? "same" : "changed";
      rows.push({ kind, a: a[i++]!, b: b[j++]! });
    } else if (j < b.length && (i === a.length || lengths[i]![j + 1]! >= lengths[i + 1]![j]!)) {
      rows.push({ kind: "added", b: b[j++]! });
    } else rows.push({ kind: "removed", a: a[i++]! });
  }
  return rows;
}

function cell(step: TraceStep | undefined, side: "a" | "b"): string {
  if (step === undefined) return `<td class="${side}"></td>`;
  const failed = failure(step) !== undefined;
  return `<td class="${side}${failed ? " failed" : ""}" data-step="${step.number}"><details>
<summary>${failed ? "✗" : "✓"} #${step.number} ${
    escapeHtml(`${step.tool}(${step.argsSummary}) → ${stepTail(step)}`)
  }</summary>${valueHtml(step.error ?? step.data, "result")}</details></td>`;
}

function summary(trace: Trace): string {
  const status = trace.complete ? trace.stopReason ?? "ended" : "incomplete";
  const models = modelNames(trace);
  const usage = trace.usage;
  return `<th>${escapeHtml(trace.dir)}<br><span class="meta">${
    escapeHtml(status)
  } · ${trace.steps.length} steps · ${ms(traceDurationMs(trace))}${
    usage ? ` · ${usage.inputTokens} in / ${usage.outputTokens} out` : ""
  }${models.length > 0 ? ` · ${escapeHtml(models.join(", "))}` : ""}</span></th>`;
}

/**
 * Render two traces side by side as one self-contained HTML page: each run's
 * stop reason, steps, time, tokens and model over its column, then the steps
 * paired where both runs made the same call (tool and arguments), with rows
 * marked `same`, `changed` (same call, another result or outcome), `removed`
 * (only in A) and `added` (only in B).
 *
 * @param a The first trace (the baseline), loaded with `loadTrace`.
 * @param b The second trace.
 * @returns The HTML document.
 * @example Compare a run with the recorded baseline
 * ```ts ignore
 * const html = renderTraceDiffHtml(await loadTrace("traces/before"), await loadTrace("traces/after"));
 * ```
 */
export function renderTraceDiffHtml(a: Trace, b: Trace): string {
  const rows = alignSteps(a.steps, b.steps);
  const counts = { same: 0, changed: 0, removed: 0, added: 0 };
  for (const row of rows) counts[row.kind]++;
  const body = rows.map((row) =>
    `<tr class="${row.kind}">${cell("a" in row ? row.a : undefined, "a")}${
      cell("b" in row ? row.b : undefined, "b")
    }</tr>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Diff ${a.runId} ↔ ${b.runId}`)}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Trace diff</h1>
<p class="meta" id="diff-counts">${counts.same} same · ${counts.changed} changed · ${counts.removed} only in A · ${counts.added} only in B</p>
<table class="diff"><thead><tr>${summary(a)}${summary(b)}</tr></thead>
<tbody>${body.join("\n")}</tbody></table>
<footer>Written by looplet</footer>
</main></body></html>
`;
}

/**
 * Read two trace directories and write their side-by-side diff (see
 * `renderTraceDiffHtml`).
 *
 * @param a The first trace directory (the baseline).
 * @param b The second trace directory.
 * @param outFile Where to write.
 * @returns The path written.
 * @throws {TraceError} When a trace cannot be read.
 * @example Write the diff of two runs
 * ```ts ignore
 * await writeTraceDiffHtml("traces/before", "traces/after", "diff.html");
 * ```
 */
export async function writeTraceDiffHtml(a: string, b: string, outFile: string): Promise<string> {
  const [first, second] = await Promise.all([loadTrace(a), loadTrace(b)]);
  await atomicWrite(outFile, renderTraceDiffHtml(first, second));
  return outFile;
}
