import type { ApprovalAnswer } from "./approval_callback.ts";
import type { ToolCallRequest } from "../loop/types.ts";

/** Turn an approver's answer into a hook decision (shared with the permission hook). */
export function answerToDecision(
  answer: ApprovalAnswer,
  call: ToolCallRequest,
  reason = `"${call.name}" needs approval`,
): { deny: string } | { pause: string } | undefined {
  if (answer === "pause") return { pause: reason };
  if (answer === true) return undefined;
  if (answer === false) return { deny: "Denied by the approver: no reason given" };
  if (typeof answer === "object" && answer !== null && typeof answer.approve === "boolean") {
    return answer.approve
      ? undefined
      : { deny: `Denied by the approver: ${answer.reason ?? "no reason given"}` };
  }
  throw new TypeError(
    `Approval callback returned ${
      JSON.stringify(answer)
    } for "${call.name}"; return true, false, { approve, reason? } or "pause"`,
  );
}
