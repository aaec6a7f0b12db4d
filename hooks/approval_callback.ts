import type { ApprovalDecision } from "../loop/composable_loop.ts";
import type { ToolCallRequest } from "../loop/types.ts";

/**
 * What an approval callback is asked about.
 *
 * @example Describe the call to the approver
 * ```ts ignore
 * const hook = approvalHook({
 *   tools: ["delete_rows"],
 *   ask: ({ call, step, reason }) =>
 *     confirm(`Step ${step}: ${reason} (${JSON.stringify(call.args)})`),
 * });
 * ```
 */
export interface ApprovalRequest {
  /** The call waiting for approval. */
  readonly call: ToolCallRequest;
  /** The step number it will have. */
  readonly step: number;
  /** Why approval is needed. */
  readonly reason: string;
  /** The run's signal: stop asking when it aborts. */
  readonly signal: AbortSignal;
}

/**
 * An approver's answer: `true`/`false`, an `ApprovalDecision`, or `"pause"`
 * to end the run awaiting approval (for example when no human is there).
 *
 * @example Refuse with a reason
 * ```ts
 * import type { ApprovalAnswer } from "jsr:@looplet/looplet/hooks";
 * const answer: ApprovalAnswer = { approve: false, reason: "Not on production" };
 * ```
 */
export type ApprovalAnswer = boolean | ApprovalDecision | "pause";

/**
 * An approver the loop waits for.
 *
 * @example Approve reads, pause on everything else
 * ```ts
 * import type { ApprovalCallback } from "jsr:@looplet/looplet/hooks";
 * const ask: ApprovalCallback = ({ call }) => call.name.startsWith("read_") ? true : "pause";
 * ```
 */
export type ApprovalCallback = (
  request: ApprovalRequest,
) => ApprovalAnswer | Promise<ApprovalAnswer>;
