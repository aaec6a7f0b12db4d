/**
 * A step of the loop: one tool call and its result, as plain data
 * (`StepRecord`) and as the frozen `Step` the loop yields.
 *
 * @module
 */

import { type Usage, usageToJson } from "./usage.ts";

/**
 * How a failed tool call is classified. Values are stable and land in traces.
 *
 * @example Suggest a retry after a transient failure
 * ```ts
 * import type { ErrorKind, Hook } from "jsr:@looplet/looplet";
 * const transient: ErrorKind[] = ["timeout", "network"];
 * const retryHint: Hook = {
 *   postDispatch: ({ result }) =>
 *     result.errorKind && transient.includes(result.errorKind) ? { inject: "Try that call again." } : undefined,
 * };
 * ```
 */
export type ErrorKind =
  | "validation"
  | "unknown_tool"
  | "parse"
  | "timeout"
  | "cancelled"
  | "permission_denied"
  | "rejected"
  | "network"
  | "execution"
  | "interrupted";

/**
 * The call part of a step.
 *
 * @example Read the first call of a run
 * ```ts ignore
 * const outcome = await run.complete();
 * const { tool, args, reasoning } = outcome.state.steps[0].call;
 * console.log(`${tool}(${JSON.stringify(args)}) because ${reasoning || "no reason given"}`);
 * ```
 */
export interface StepCall {
  /** Tool name. */
  readonly tool: string;
  /** Arguments the tool ran with (after hook rewrites). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Call id. */
  readonly id: string;
  /** The model's stated reason, or `""`. */
  readonly reasoning: string;
}

/**
 * The result part of a step.
 *
 * @example List the failed calls of a run
 * ```ts ignore
 * const outcome = await run.complete();
 * for (const { call, result } of outcome.state.steps) {
 *   if (result.error !== undefined) console.log(`${call.tool} [${result.errorKind}]: ${result.error}`);
 * }
 * ```
 */
export interface StepResult {
  /** What the tool returned (or a hook's replacement); `null` on error. */
  readonly data: unknown;
  /** Error text the model saw, when the call failed. */
  readonly error?: string;
  /** Classification of the failure. */
  readonly errorKind?: ErrorKind;
  /** Time spent executing the tool, in milliseconds (0 when it did not run). */
  readonly durationMs: number;
  /** Set when the call is paused awaiting approval: the reason. */
  readonly awaitingApproval?: string;
}

/**
 * A step as plain data (what `LoopState.steps` holds).
 *
 * @example Print a run's steps from its saved state
 * ```ts ignore
 * const outcome = await run.complete();
 * for (const record of outcome.state.steps) {
 *   console.log(record.number, record.turn, record.call.tool, `${record.durationMs} ms`);
 * }
 * ```
 */
export interface StepRecord {
  /** 1-based step number across the run. */
  readonly number: number;
  /** 1-based turn number. */
  readonly turn: number;
  /** The call. */
  readonly call: StepCall;
  /** The result. */
  readonly result: StepResult;
  /** Model usage attributed to this step (the turn's usage sits on its first step). */
  readonly usage: Usage;
  /** Wall time of the step including hooks, in milliseconds. */
  readonly durationMs: number;
}

const ARG_VALUE_LIMIT = 50;
const TAIL_LIMIT = 60;

/**
 * Render arguments as `k=v` pairs, each value cut to 50 characters.
 *
 * @param args The call's arguments.
 * @returns The summary, for example `name=Alice, n=3`.
 * @example
 * ```ts
 * import { argsSummary } from "jsr:@looplet/looplet";
 * argsSummary({ name: "Alice", n: 3 }); // "name=Alice, n=3"
 * ```
 */
export function argsSummary(args: Readonly<Record<string, unknown>>): string {
  return Object.entries(args)
    .map(([key, value]) => `${key}=${cut(displayValue(value), ARG_VALUE_LIMIT, "...")}`)
    .join(", ");
}

function displayValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Keep display text on one line: newlines become ` ↵ `. */
function oneLine(text: string): string {
  return text.includes("\n") ? text.replace(/\r?\n/g, " ↵ ") : text;
}

function cut(text: string, limit: number, marker: string): string {
  const line = oneLine(text);
  return line.length > limit ? line.slice(0, limit) + marker : line;
}

function cutTail(text: string): string {
  const line = oneLine(text);
  return line.length > TAIL_LIMIT ? line.slice(0, TAIL_LIMIT - 3) + "..." : line;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function prettyTail(result: StepResult): string | undefined {
  if (result.awaitingApproval !== undefined) {
    return `⏸ awaiting approval: ${cut(result.awaitingApproval, 80, "")}`;
  }
  if (result.error !== undefined) return `ERROR: ${cut(result.error, 80, "")}`;
  const data = result.data;
  if (data === null || data === undefined) return undefined;
  if (Array.isArray(data)) return `${data.length} items`;
  if (isPlainObject(data)) {
    const entries = Object.entries(data);
    const lists = entries.filter(([, value]) => Array.isArray(value));
    const [list] = lists;
    if (list !== undefined && lists.length === 1) {
      return `${(list[1] as unknown[]).length} ${list[0]}`;
    }
    const [entry] = entries;
    if (entry !== undefined && entries.length === 1) {
      return `${entry[0]}: ${cutTail(displayValue(entry[1]))}`;
    }
    return `${entries.length} keys`;
  }
  return cutTail(displayValue(data));
}

function summaryTail(result: StepResult): string | undefined {
  if (result.awaitingApproval !== undefined) return "awaiting approval";
  if (result.error !== undefined) return `ERROR: ${cut(result.error, 60, "")}`;
  const data = result.data;
  if (Array.isArray(data)) return `${data.length} items`;
  if (isPlainObject(data)) {
    const total = data.total ?? data.total_items;
    if (total !== undefined) return displayValue(total);
    const entries = Object.entries(data);
    const preview = entries.slice(0, 3).map(([key, value]) =>
      `${key}: ${
        Array.isArray(value)
          ? `(${value.length})`
          : isPlainObject(value)
          ? `(${Object.keys(value).length})`
          : cut(displayValue(value), 40, "...")
      }`
    ).join(", ");
    return entries.length > 3 ? `${preview}, … (${entries.length} keys)` : preview || undefined;
  }
  if (data === null || data === undefined) return undefined;
  return cut(displayValue(data), 60, "...");
}

/**
 * One tool call and its result, as yielded by the loop. Frozen once yielded.
 *
 * @example Print each step
 * ```ts ignore
 * for await (const step of composableLoop({ llm, tools, task })) {
 *   console.log(step.pretty()); // #1 ✓ greet(name=Alice) → greeting: Hello, Alice! [0ms]
 * }
 * ```
 */
export class Step implements StepRecord {
  /** 1-based step number across the run. */
  readonly number: number;
  /** 1-based turn number. */
  readonly turn: number;
  /** The call. */
  readonly call: StepCall;
  /** The result. */
  readonly result: StepResult;
  /** Model usage attributed to this step (the turn's usage sits on its first step). */
  readonly usage: Usage;
  /** Wall time of the step including hooks, in milliseconds. */
  readonly durationMs: number;

  /**
   * Wrap a plain step record.
   *
   * @param record The record (kept by reference and frozen).
   */
  constructor(record: StepRecord) {
    this.number = record.number;
    this.turn = record.turn;
    const { tool, args, id, reasoning } = record.call;
    this.call = Object.freeze({ tool, args: Object.freeze({ ...args }), id, reasoning });
    this.result = Object.isFrozen(record.result)
      ? record.result
      : Object.freeze({ ...record.result });
    this.usage = Object.isFrozen(record.usage) ? record.usage : Object.freeze({ ...record.usage });
    this.durationMs = record.durationMs;
    Object.freeze(this);
  }

  /** True when the call failed (including denied, invalid and rejected calls). */
  get failed(): boolean {
    return this.result.error !== undefined;
  }

  /**
   * One line for people: `#1 ✓ greet(name=Alice) → greeting: Hello, Alice! [0ms]`.
   *
   * @returns The line.
   */
  pretty(): string {
    const glyph = this.result.awaitingApproval !== undefined ? "·" : this.failed ? "✗" : "✓";
    const header = `#${this.number} ${glyph} ${this.call.tool}(${argsSummary(this.call.args)})`;
    const tail = prettyTail(this.result);
    const duration = this.result.durationMs > 0 ? ` [${Math.round(this.result.durationMs)}ms]` : "";
    return tail === undefined ? `${header}${duration}` : `${header} → ${tail}${duration}`;
  }

  /**
   * A compact line for model context: `S1 ✓ greet(name=Alice) → greeting: "Hello"`.
   *
   * @returns The line.
   */
  summary(): string {
    const header = `S${this.number} ${this.failed ? "✗" : "✓"} ${this.call.tool}(${
      argsSummary(this.call.args)
    })`;
    const tail = summaryTail(this.result);
    return tail === undefined ? header : `${header} → ${tail}`;
  }

  /**
   * The step as snake_case JSON (the on-disk form used by traces).
   *
   * @returns Plain JSON.
   */
  toJSON(): Record<string, unknown> {
    const result: Record<string, unknown> = {
      data: this.result.data ?? null,
      duration_ms: this.result.durationMs,
    };
    if (this.result.error !== undefined) result.error = this.result.error;
    if (this.result.errorKind !== undefined) result.error_kind = this.result.errorKind;
    if (this.result.awaitingApproval !== undefined) {
      result.awaiting_approval = this.result.awaitingApproval;
    }
    return {
      number: this.number,
      turn: this.turn,
      call: {
        tool: this.call.tool,
        args: this.call.args,
        id: this.call.id,
        reasoning: this.call.reasoning,
      },
      result,
      usage: usageToJson(this.usage),
      duration_ms: this.durationMs,
      pretty: this.pretty(),
    };
  }
}
