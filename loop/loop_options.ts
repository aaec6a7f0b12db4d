import type { RetryPolicy } from "./retry_policy.ts";
import type { AnyTool, Backend, Hook, LoopState } from "./types.ts";

/**
 * The human answer to a paused call, given when resuming.
 *
 * @example Deny a paused call and resume the run
 * ```ts ignore
 * import { type ApprovalDecision, composableLoop } from "jsr:@looplet/looplet";
 * const approval: ApprovalDecision = { approve: false, reason: "Do not push to main" };
 * const run = composableLoop({ llm, tools, task, resume: outcome.state, approval });
 * ```
 */
export type ApprovalDecision =
  | { readonly approve: true }
  | { readonly approve: false; readonly reason?: string };

/**
 * Options of `composableLoop`.
 *
 * @example Run with a step limit, a timeout and retries
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * const run = composableLoop({
 *   llm,
 *   tools: [greet],
 *   task: "Greet Alice",
 *   maxSteps: 10,
 *   signal: AbortSignal.timeout(60_000),
 *   retry: { attempts: 5, baseDelayMs: 1000 },
 * });
 * ```
 */
export interface LoopOptions {
  /** The model backend. */
  readonly llm: Backend;
  /** The task: a string, or an object rendered as `key: value` lines. */
  readonly task: string | Record<string, unknown>;
  /** Tools the model may call (an array or a `ToolRegistry`); `done` is added when missing. @default [] */
  readonly tools?: Iterable<AnyTool>;
  /** Hooks, run in order. @default [] */
  readonly hooks?: readonly Hook[];
  /** Most tool calls in the run (including `done`); never exceeded. @default 20 */
  readonly maxSteps?: number;
  /**
   * Most step records kept in `state.steps`: older ones leave memory and
   * `state.stepsDropped` counts them (numbering, `maxSteps` and
   * `outcome.steps` stay exact). For long runs whose checkpoint journal holds
   * every step. @default Infinity (keep every step)
   */
  readonly keepSteps?: number;
  /** System prompt. @default a short agent instruction that mentions `done` */
  readonly systemPrompt?: string;
  /** Cancels the run: in-flight model calls and tools are aborted. */
  readonly signal?: AbortSignal;
  /** Output token limit per model call. @default undefined (the provider decides) */
  readonly maxTokens?: number;
  /** Sampling temperature, 0 to 2. @default undefined (the provider decides) */
  readonly temperature?: number;
  /** Most concurrency-safe calls running at once. @default 4 */
  readonly concurrency?: number;
  /** Retries of model calls that fail with a retryable error. @default { attempts: 3, baseDelayMs: 500 } */
  readonly retry?: RetryPolicy;
  /** Initial run metadata shared by hooks and tools. @default {} */
  readonly metadata?: Record<string, unknown>;
  /** Continue a run from its saved state: numbering, budget and transcript carry on. */
  readonly resume?: LoopState;
  /** When resuming a run that paused for approval: approve or deny the paused call. */
  readonly approval?: ApprovalDecision;
  /** Name of the tool that finishes the run. @default "done" */
  readonly doneTool?: string;
  /**
   * How many times one turn may recover from a prompt-too-long error through
   * `onPromptTooLong` hooks (each returns a smaller transcript). @default 3
   */
  readonly promptTooLongRecoveries?: number;
}
