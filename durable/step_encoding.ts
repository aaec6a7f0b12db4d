import { Step } from "../loop/step.ts";
import type { ErrorKind, StepRecord, Usage } from "../loop/types.ts";
import { usageToJson } from "../loop/usage.ts";

/**
 * A step as deterministic JSON (format 1): everything a step says except its
 * timings, so a replayed run encodes to the same value as the run it
 * replays. Keys are snake_case, as in `Step.toJSON()`.
 *
 * @example A step that greeted Alice
 * ```ts
 * import type { EncodedStep } from "jsr:@looplet/looplet/durable";
 * const encoded: EncodedStep = {
 *   format: 1,
 *   number: 1,
 *   turn: 1,
 *   call: { tool: "greet", args: { name: "Alice" }, id: "call_1", reasoning: "" },
 *   result: { data: { greeting: "Hello, Alice!" } },
 *   usage: { input_tokens: 12, output_tokens: 5 },
 * };
 * ```
 */
export interface EncodedStep {
  /** Format version. */
  readonly format: 1;
  /** 1-based step number across the run. */
  readonly number: number;
  /** 1-based turn number. */
  readonly turn: number;
  /** The call. */
  readonly call: {
    readonly tool: string;
    readonly args: Readonly<Record<string, unknown>>;
    readonly id: string;
    readonly reasoning: string;
  };
  /** The result, without its duration. */
  readonly result: {
    readonly data: unknown;
    readonly error?: string;
    readonly error_kind?: ErrorKind;
    readonly awaiting_approval?: string;
  };
  /** Model usage attributed to the step, snake_case. */
  readonly usage: Readonly<Record<string, number>>;
}

/**
 * Encode a step for a durable stream: deterministic, timings left out.
 *
 * @param step The step (a `Step` or a plain record).
 * @returns The encoded step.
 * @example
 * ```ts ignore
 * for await (const step of run) await stream.write(encodeStep(step));
 * ```
 */
export function encodeStep(step: StepRecord): EncodedStep {
  const { data, error, errorKind, awaitingApproval } = step.result;
  return {
    format: 1,
    number: step.number,
    turn: step.turn,
    call: {
      tool: step.call.tool,
      args: step.call.args,
      id: step.call.id,
      reasoning: step.call.reasoning,
    },
    result: {
      data: data ?? null,
      ...(error !== undefined ? { error } : {}),
      ...(errorKind !== undefined ? { error_kind: errorKind } : {}),
      ...(awaitingApproval !== undefined ? { awaiting_approval: awaitingApproval } : {}),
    },
    usage: usageToJson(step.usage),
  };
}

/**
 * Decode a step read from a durable stream. Its durations are 0 (the
 * encoding keeps no timings).
 *
 * @param encoded An `EncodedStep`.
 * @returns The step.
 * @throws {TypeError} When `encoded` is not an encoded step of format 1.
 * @example
 * ```ts
 * import { decodeStep } from "jsr:@looplet/looplet/durable";
 * const step = decodeStep({
 *   format: 1,
 *   number: 1,
 *   turn: 1,
 *   call: { tool: "greet", args: { name: "Alice" }, id: "call_1", reasoning: "" },
 *   result: { data: { greeting: "Hello, Alice!" } },
 *   usage: { input_tokens: 12, output_tokens: 5 },
 * });
 * console.log(step.pretty()); // #1 ✓ greet(name=Alice) → greeting: Hello, Alice!
 * ```
 */
export function decodeStep(encoded: EncodedStep): Step {
  if (
    typeof encoded !== "object" || encoded === null || encoded.format !== 1 ||
    typeof encoded.number !== "number" || typeof encoded.call?.tool !== "string"
  ) {
    throw new TypeError(
      `Cannot decode step: expected an encoded step of format 1, got ${
        JSON.stringify(encoded)?.slice(0, 100)
      }`,
    );
  }
  const { data, error, error_kind, awaiting_approval } = encoded.result;
  return new Step({
    number: encoded.number,
    turn: encoded.turn,
    call: { ...encoded.call, args: { ...encoded.call.args } },
    result: {
      data,
      ...(error !== undefined ? { error } : {}),
      ...(error_kind !== undefined ? { errorKind: error_kind } : {}),
      ...(awaiting_approval !== undefined ? { awaitingApproval: awaiting_approval } : {}),
      durationMs: 0,
    },
    usage: usageFromJson(encoded.usage),
    durationMs: 0,
  });
}

function usageFromJson(json: Readonly<Record<string, number>>): Usage {
  return {
    inputTokens: json.input_tokens ?? 0,
    outputTokens: json.output_tokens ?? 0,
    ...(json.cache_read_tokens !== undefined ? { cacheReadTokens: json.cache_read_tokens } : {}),
    ...(json.cache_write_tokens !== undefined ? { cacheWriteTokens: json.cache_write_tokens } : {}),
    ...(json.cost !== undefined ? { cost: json.cost } : {}),
  };
}
