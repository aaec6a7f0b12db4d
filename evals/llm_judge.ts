import type { Backend } from "../loop/types.ts";
import type { EvalContext } from "./eval_context.ts";
import type { Evaluator } from "./eval_mark.ts";
import type { EvalScore } from "./eval_result.ts";

/**
 * Options of `llmJudge`.
 *
 * @example A strict judge over the last 20 steps
 * ```ts ignore
 * const evalAccurate = llmJudge({
 *   backend: judgeBackend,
 *   criteria: "The final answer cites the files it read",
 *   name: "evalAccurate",
 *   threshold: 0.8,
 *   maxSteps: 20,
 * });
 * ```
 */
export interface LlmJudgeOptions {
  /** The model that grades (passed explicitly; never read from the environment). */
  readonly backend: Backend;
  /** What a good run looks like, in plain words. */
  readonly criteria: string;
  /** Evaluator name. @default "evalLlmJudge" */
  readonly name?: string;
  /** Score needed to pass when the judge gives no verdict. @default 0.5 */
  readonly threshold?: number;
  /** Most steps shown to the judge (the last ones). @default 50 */
  readonly maxSteps?: number;
}

const SYSTEM_PROMPT =
  "You grade an AI agent's run against the given criteria. Read the task, the steps and the " +
  "final answer. Reply with JSON only, no prose: " +
  '{"score": <number from 0 to 1>, "passed": <true or false>, "reason": "<one sentence>"}';

function describeRun(ctx: EvalContext, criteria: string, maxSteps: number): string {
  const steps = ctx.steps.slice(-maxSteps).map((step) => step.pretty || `${step.tool}(...)`);
  const skipped = ctx.steps.length - steps.length;
  return [
    `TASK\n${ctx.taskText}`,
    `CRITERIA\n${criteria}`,
    `STEPS (${ctx.steps.length}${skipped > 0 ? `, first ${skipped} left out` : ""})\n${
      steps.join("\n") || "(none)"
    }`,
    `STOP REASON\n${ctx.stopReason ?? "unknown"}`,
    `FINAL ANSWER\n${
      typeof ctx.finalOutput === "string" ? ctx.finalOutput : JSON.stringify(ctx.finalOutput)
    }`,
  ].join("\n\n");
}

function parseVerdict(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start === -1 || end <= start) return undefined;
  try {
    const value = JSON.parse(text.slice(start, end + 1));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An evaluator that asks a model to grade the run against criteria. The
 * judge's backend is passed explicitly. A reply without a readable verdict
 * makes the evaluator throw, which `evalRun` reports as an error row.
 *
 * @param options Backend, criteria, name, threshold.
 * @returns The evaluator.
 * @throws {TypeError} When the backend or criteria are missing.
 * @example Grade politeness
 * ```ts ignore
 * const evalPolite = llmJudge({ backend: judgeBackend, criteria: "Every greeting is polite" });
 * const results = await evalRun([evalPolite], ctx);
 * ```
 */
export function llmJudge(options: LlmJudgeOptions): Evaluator {
  const { backend, criteria, name = "evalLlmJudge", threshold = 0.5, maxSteps = 50 } = options;
  if (typeof backend !== "object" || backend === null || typeof backend.generate !== "function") {
    throw new TypeError("Cannot create llmJudge: 'backend' must be a Backend with generate()");
  }
  if (typeof criteria !== "string" || criteria.trim() === "") {
    throw new TypeError("Cannot create llmJudge: 'criteria' must be a non-empty string");
  }
  const judge = async (ctx: EvalContext): Promise<EvalScore> => {
    const reply = await backend.generate({
      systemPrompt: SYSTEM_PROMPT,
      messages: [{ role: "user", content: describeRun(ctx, criteria, maxSteps) }],
      tools: [],
      temperature: 0,
      purpose: "judge",
    });
    const verdict = reply.toolCalls?.[0]?.args ?? parseVerdict(reply.text);
    if (verdict === undefined || typeof verdict.score !== "number") {
      throw new Error(
        `Judge "${backend.name}" replied without a JSON verdict {"score", "passed", "reason"}: ${
          reply.text.slice(0, 120)
        }`,
      );
    }
    const score = verdict.score;
    if (!(score >= 0 && score <= 1)) {
      throw new Error(`Judge "${backend.name}" gave a score of ${score}; expected 0 to 1`);
    }
    return {
      score,
      passed: typeof verdict.passed === "boolean" ? verdict.passed : score >= threshold,
      details: typeof verdict.reason === "string" ? [verdict.reason] : [],
    };
  };
  Object.defineProperty(judge, "name", { value: name });
  return judge;
}
