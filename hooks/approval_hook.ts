import { answerToDecision } from "./_approval_answer.ts";
import type { ApprovalCallback } from "./approval_callback.ts";
import type { AnyTool, Hook, ToolCallRequest } from "../loop/types.ts";

/**
 * Options of `approvalHook`.
 *
 * @example Ask before any call that touches production
 * ```ts ignore
 * const options: ApprovalHookOptions = {
 *   tools: (call) => call.args.env === "production",
 *   ask: async ({ reason }) => await askOnSlack(reason),
 *   reason: (call) => `${call.name} touches production`,
 * };
 * const hook = approvalHook(options);
 * ```
 */
export interface ApprovalHookOptions {
  /** Which calls need approval: tools (or their names), or a predicate over the call. */
  readonly tools: readonly (string | AnyTool)[] | ((call: ToolCallRequest) => boolean);
  /** Ask now and wait. Without it the run ends `awaiting_approval` and resumes with `approval`. */
  readonly ask?: ApprovalCallback;
  /** Why approval is needed, shown to the approver. @default `"<tool>" needs approval` */
  readonly reason?: (call: ToolCallRequest) => string;
}

/**
 * Require a human's approval before some calls run. Without `ask`, the run
 * ends with `awaiting_approval`, `outcome.pending` names the call, and
 * `composableLoop({ resume: outcome.state, approval })` runs or refuses
 * exactly that call. With `ask`, the loop waits for the answer; a denial
 * goes back to the model as a failed result.
 *
 * @param options Which tools, and how to ask.
 * @returns The hook.
 * @throws {TypeError} When `tools` or `ask` has the wrong type.
 * @example Pause before deleting, resume approved
 * ```ts ignore
 * const hooks = [approvalHook({ tools: ["delete_rows"] })];
 * const first = await composableLoop({ llm, tools, task, hooks }).complete();
 * if (first.stopReason === "awaiting_approval") {
 *   await composableLoop({ llm, tools, task, hooks, resume: first.state, approval: { approve: true } }).complete();
 * }
 * ```
 */
export function approvalHook(options: ApprovalHookOptions): Hook {
  const {
    tools,
    ask,
    reason = (call: ToolCallRequest) => `"${call.name}" needs approval`,
  } = options ?? ({} as ApprovalHookOptions);
  let needs: (call: ToolCallRequest) => boolean;
  if (typeof tools === "function") needs = tools;
  else if (
    Array.isArray(tools) &&
    tools.every((item) => typeof item === "string" || typeof item?.name === "string")
  ) {
    const names = new Set(tools.map((item) => typeof item === "string" ? item : item.name));
    needs = (call) => names.has(call.name);
  } else {
    throw new TypeError(
      "Cannot make approval hook: 'tools' must be an array of tools or tool names, or a (call) => boolean",
    );
  }
  if (ask !== undefined && typeof ask !== "function") {
    throw new TypeError("Cannot make approval hook: 'ask' must be a function");
  }
  return {
    name: "approval",
    async preDispatch({ call, step, signal }) {
      if (!needs(call)) return;
      const why = reason(call);
      if (ask === undefined) return { pause: why };
      return answerToDecision(await ask({ call, step, reason: why, signal }), call, why);
    },
  };
}
