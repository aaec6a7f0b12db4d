/** The JSON record of one step, as in `steps/step_NN.json` (private to provenance/). */
import { argsSummary, Step } from "../loop/step.ts";
import { boundedValue, type Redactor, scrubValue, truncateText } from "./_text.ts";
import { round, usageJson } from "./_trace_files.ts";

/** What a step record needs besides the step. */
export interface StepRecordOptions {
  /** When the step started (ms since the epoch). */
  readonly startedAt: number;
  /** Indices of the model calls that belong to the step. */
  readonly calls: readonly number[];
  readonly redact: Redactor | undefined;
  /** Most characters kept per recorded value. */
  readonly limit: number;
}

function sameShallow(a: Record<string, unknown>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** Build the (redacted, bounded) record of `step`. */
export function stepRecord(step: Step, options: StepRecordOptions): Record<string, unknown> {
  const { redact, limit } = options;
  const text = (value: string) => truncateText(redact ? redact(value) : value, limit);
  const args = scrubValue(step.call.args, redact, limit) as Record<string, unknown>;
  const data = boundedValue(step.result.data ?? null, redact, limit);
  const error = step.result.error === undefined ? undefined : text(step.result.error);
  const reasoning = text(step.call.reasoning);
  const unchanged = redact === undefined && data === step.result.data &&
    reasoning === step.call.reasoning && error === step.result.error &&
    sameShallow(args, step.call.args);
  const shown = unchanged ? step : new Step({
    ...step,
    call: { ...step.call, args, reasoning },
    result: { ...step.result, data, ...(error !== undefined ? { error } : {}) },
  });
  const result: Record<string, unknown> = {
    tool: step.call.tool,
    args: argsSummary(args),
    data,
    duration_ms: round(step.result.durationMs),
  };
  if (error !== undefined) result.error = error;
  if (step.result.errorKind !== undefined) result.error_kind = step.result.errorKind;
  if (step.result.awaitingApproval !== undefined) {
    result.awaiting_approval = text(step.result.awaitingApproval);
  }
  return {
    step_num: step.number,
    turn: step.turn,
    timestamp: new Date(options.startedAt).toISOString(),
    duration_ms: round(step.durationMs),
    pretty: shown.pretty(),
    tool_call: {
      tool: step.call.tool,
      args,
      reasoning,
      call_id: step.call.id,
      metadata: {},
    },
    tool_result: result,
    usage: usageJson(step.usage),
    llm_call_indices: options.calls,
    context_before: "",
    metadata: {},
  };
}
