/** The run-level fields of `trajectory.json` (private to provenance/). */
import type { Backend, Outcome, Usage } from "../loop/types.ts";
import { errorText } from "./_call_record.ts";
import { boundedValue, type Redactor, scrubValue, truncateText } from "./_text.ts";
import { TRACE_FORMAT_VERSION, usageJson } from "./_trace_files.ts";

/** What the sink knows about the run. */
export interface RunFacts {
  readonly runId: string;
  readonly startedAt: string | undefined;
  readonly endedAt: string | undefined;
  /** The task, already scrubbed. */
  readonly task: unknown;
  readonly outcome: Outcome | undefined;
  /** Usage summed over the recorded calls (used until the run has an outcome). */
  readonly usage: Usage;
  readonly metadata: Record<string, unknown>;
  readonly backend: Backend | undefined;
  readonly redact: Redactor | undefined;
  readonly limit: number;
}

/**
 * `trajectory.json` without its `steps` and `llm_calls` (the trace writer
 * adds them from disk), or with empty ones while the run goes on.
 */
export function trajectoryHead(
  run: RunFacts,
  final: boolean,
  counts: { readonly steps: number; readonly calls: number },
): Record<string, unknown> {
  const { outcome, redact, limit } = run;
  return {
    format_version: TRACE_FORMAT_VERSION,
    generator: "looplet",
    run_id: run.runId,
    status: outcome !== undefined ? "complete" : final ? "flushed" : "running",
    started_at: run.startedAt ?? null,
    ended_at: run.endedAt ?? null,
    task: run.task,
    termination_reason: outcome?.stopReason ?? null,
    final_answer: outcome?.finalAnswer === undefined
      ? null
      : boundedValue(outcome.finalAnswer, redact, limit),
    error: outcome?.error === undefined
      ? null
      : truncateText(redact ? redact(errorText(outcome.error)) : errorText(outcome.error), limit),
    usage: usageJson(outcome?.usage ?? run.usage),
    metadata: {
      ...(scrubValue(run.metadata, redact, limit) as Record<string, unknown>),
      ...(run.backend !== undefined
        ? {
          backend: {
            name: run.backend.name,
            native_tools: run.backend.capabilities?.nativeTools === true,
          },
        }
        : {}),
      redacted: redact !== undefined,
      max_chars_per_call: limit,
    },
    step_count: counts.steps,
    llm_call_count: counts.calls,
    ...(final ? {} : { steps: [], llm_calls: [] }),
  };
}
