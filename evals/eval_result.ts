/**
 * How one evaluation ended.
 *
 * @example Keep the failures
 * ```ts ignore
 * const failed = results.filter((result) => result.status === "fail" || result.status === "error");
 * ```
 */
export type EvalStatus = "pass" | "fail" | "error" | "skipped";

/**
 * The outcome of one evaluator on one run. A score of 0 is a score (it
 * fails), never a missing value.
 *
 * @example A passing result
 * ```ts
 * import type { EvalResult } from "jsr:@looplet/looplet/evals";
 * const result: EvalResult = {
 *   name: "evalCompleted", status: "pass", passed: true, score: 1,
 *   details: [], metrics: {}, durationMs: 0.1,
 * };
 * ```
 */
export interface EvalResult {
  /** The evaluator's name. */
  readonly name: string;
  /** pass, fail, error (the evaluator threw or returned nonsense), or skipped. */
  readonly status: EvalStatus;
  /** True only for `status: "pass"`. */
  readonly passed: boolean;
  /** The score, when the evaluator gave one. */
  readonly score?: number;
  /** A label, when the evaluator returned a string or `{ label }`. */
  readonly label?: string;
  /** Detail lines. */
  readonly details: readonly string[];
  /** Other numeric values the evaluator returned. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The error message, for `status: "error"`. */
  readonly error?: string;
  /** Time the evaluator took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * An evaluator's detailed answer.
 *
 * @example A score with details and metrics
 * ```ts
 * import type { EvalScore, Evaluator } from "jsr:@looplet/looplet/evals";
 * export const evalFewSteps: Evaluator = (ctx): EvalScore => ({
 *   score: ctx.stepCount <= 5 ? 1 : 5 / ctx.stepCount,
 *   details: `${ctx.stepCount} steps`,
 *   metrics: { steps: ctx.stepCount },
 * });
 * ```
 */
export interface EvalScore {
  /** The score; with no `passed`, a score of at least the threshold passes. */
  readonly score?: number;
  /** Explicit pass or fail (wins over the score). */
  readonly passed?: boolean;
  /** Detail text: a line, lines, or an object rendered as `key: value` lines. */
  readonly details?: string | readonly string[] | Record<string, unknown>;
  /** A label such as `"pass"` or `"partial"`. */
  readonly label?: string;
  /** Extra numeric values. */
  readonly metrics?: Record<string, number>;
}

/**
 * What an evaluator may return: a boolean, a number, a label, or `{ score, passed, details }`.
 *
 * @example A label as the answer
 * ```ts
 * import type { EvalContext, EvalReturn } from "jsr:@looplet/looplet/evals";
 * export function evalStopReason(ctx: EvalContext): EvalReturn {
 *   return ctx.completed ? "pass" : `stopped: ${ctx.stopReason}`;
 * }
 * ```
 */
export type EvalReturn = boolean | number | string | EvalScore;

const PASS_LABELS = new Set(["pass", "passed", "correct", "yes", "ok", "true"]);

function detailLines(details: EvalScore["details"]): string[] {
  if (details === undefined || details === null) return [];
  if (typeof details === "string") return details === "" ? [] : [details];
  if (Array.isArray(details)) return details.map(String);
  return Object.entries(details).map(([key, value]) =>
    `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`
  );
}

function errorResult(name: string, error: string, durationMs: number): EvalResult {
  return { name, status: "error", passed: false, details: [], metrics: {}, error, durationMs };
}

/**
 * Turn what an evaluator returned into an `EvalResult`.
 *
 * - `true`/`false`: score 1 or 0, pass or fail.
 * - a number: the score; it passes at `threshold` or above (NaN is an error).
 * - a string: a label; "pass", "correct", "yes", "ok" pass.
 * - `{ score, passed, details, label, metrics }`: `passed` wins; else the score
 *   decides; else the label. A score of 0 is kept and fails.
 * - anything else (nothing, an array): an error row saying what to return.
 *
 * @param value The evaluator's return value.
 * @param name The evaluator's name.
 * @param options Pass threshold for scores and the measured duration.
 * @returns The result.
 * @example
 * ```ts
 * import { normalizeEvalResult } from "jsr:@looplet/looplet/evals";
 * normalizeEvalResult({ score: 0, details: "no greeting" }, "evalGreets").status; // "fail"
 * ```
 */
export function normalizeEvalResult(
  value: unknown,
  name: string,
  options: { threshold?: number; durationMs?: number } = {},
): EvalResult {
  const { threshold = 0.5, durationMs = 0 } = options;
  const base = { name, details: [] as string[], metrics: {}, durationMs };
  if (typeof value === "boolean") {
    return { ...base, status: value ? "pass" : "fail", passed: value, score: value ? 1 : 0 };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      return errorResult(name, `returned ${value}; return a finite number`, durationMs);
    }
    const passed = value >= threshold;
    return { ...base, status: passed ? "pass" : "fail", passed, score: value };
  }
  if (typeof value === "string") {
    const passed = PASS_LABELS.has(value.trim().toLowerCase());
    return { ...base, status: passed ? "pass" : "fail", passed, label: value };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return errorResult(
      name,
      `returned ${
        value === undefined ? "nothing" : Array.isArray(value) ? "an array" : String(value)
      }; return a boolean, a number, a label, or { score, passed, details }`,
      durationMs,
    );
  }
  const record = value as EvalScore & Record<string, unknown>;
  const metrics: Record<string, number> = {};
  for (const [key, item] of Object.entries(record.metrics ?? {})) {
    if (typeof item === "number") metrics[key] = item;
  }
  for (const [key, item] of Object.entries(record)) {
    if (["score", "passed", "details", "label", "metrics"].includes(key)) continue;
    if (typeof item === "number") metrics[key] = item;
  }
  let score: number | undefined;
  if (record.score !== undefined && record.score !== null) {
    if (typeof record.score !== "number" || !Number.isFinite(record.score)) {
      return errorResult(
        name,
        `returned a score of ${JSON.stringify(record.score)}; 'score' must be a finite number`,
        durationMs,
      );
    }
    score = record.score;
  } else {
    for (const key of ["f1", "accuracy", "overall"]) {
      if (typeof metrics[key] === "number") {
        score = metrics[key];
        break;
      }
    }
  }
  const label = typeof record.label === "string" ? record.label : undefined;
  let passed: boolean;
  if (typeof record.passed === "boolean") passed = record.passed;
  else if (score !== undefined) passed = score >= threshold;
  else if (label !== undefined) passed = PASS_LABELS.has(label.trim().toLowerCase());
  else {
    return errorResult(
      name,
      "returned an object without 'score', 'passed' or 'label'; say whether the run passed",
      durationMs,
    );
  }
  return {
    ...base,
    status: passed ? "pass" : "fail",
    passed,
    ...(score !== undefined ? { score } : {}),
    ...(label !== undefined ? { label } : {}),
    details: detailLines(record.details),
    metrics,
  };
}

/**
 * One line for people: `✓ evalCompleted   1.00  pass`, with detail lines indented.
 *
 * @param result The result.
 * @returns The text.
 * @example
 * ```ts
 * import { normalizeEvalResult, prettyEvalResult } from "jsr:@looplet/looplet/evals";
 * prettyEvalResult(normalizeEvalResult(true, "evalDone")); // "✓ evalDone ... 1.00  pass"
 * ```
 */
export function prettyEvalResult(result: EvalResult): string {
  const glyph = result.status === "pass"
    ? "✓"
    : result.status === "fail"
    ? "✗"
    : result.status === "error"
    ? "!"
    : "-";
  const score = result.score !== undefined ? result.score.toFixed(2) : "  – ";
  let line = `${glyph} ${result.name.padEnd(32)} ${score}  ${result.status}`;
  if (result.label !== undefined) line += `  ${result.label}`;
  const metrics = Object.entries(result.metrics)
    .filter(([key]) => !["f1", "accuracy", "overall"].includes(key))
    .map(([key, value]) => `${key}=${value.toFixed(2)}`);
  if (metrics.length > 0) line += `  ${metrics.join(" ")}`;
  if (result.error !== undefined) line += `  ${result.error}`;
  const details = result.details.slice(0, 5).map((detail) => `\n    ${detail}`).join("");
  return line + details;
}
