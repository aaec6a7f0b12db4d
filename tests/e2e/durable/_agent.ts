// The agent the durable e2e tests run in real worker processes. Its model is a
// function of the request (as a real model is), so a replayed run asks it the
// same things; every call that completes is logged to <dir>/events.log, and a
// run can be told to block once at a point so the test kills its worker there.
import { z } from "zod";
import { tool } from "../../../tools/tool.ts";
import type { Backend, Hook, ModelRequest, ModelTurn } from "../../../loop/types.ts";
import { approvalHook } from "../../../hooks/approval_hook.ts";
import { dbosAgent } from "../../../dbos/dbos_agent.ts";
import type { DbosAgent } from "../../../dbos/mod.ts";

/** What a test run is told. */
export interface CounterInput {
  /** Folder for events.log and block markers. */
  readonly dir: string;
  /** How many `work` calls before `done`. */
  readonly calls: number;
  /** Block once at `model:<k>`, `tool:<step>`, `between:<turn>` or `end`. */
  readonly blockAt?: string;
  /** Ask approval before this step's `work` call. */
  readonly approveAt?: number;
  /** The `work` call of this step throws. */
  readonly throwAt?: number;
  /** The `work` call of this step returns a non-JSON value. */
  readonly nonJsonAt?: number;
}

const WORKER = Deno.env.get("LOOPLET_TEST_WORKER") ?? "in-process";

function log(dir: string, line: string): void {
  Deno.writeTextFileSync(`${dir}/events.log`, `${line}\n`, { append: true });
}

/** Block forever the first time `point` is reached (the marker says where and on which worker). */
async function maybeBlock(input: CounterInput, runId: string, point: string): Promise<void> {
  if (input.blockAt !== point) return;
  const marker = `${input.dir}/blocked-${runId}`;
  try {
    Deno.writeTextFileSync(marker, WORKER, { createNew: true });
  } catch {
    return; // blocked once already: this is the replay on another worker
  }
  await new Promise(() => {});
}

function countingModel(input: CounterInput, runId: string): Backend {
  return {
    name: "counting",
    capabilities: { nativeTools: true },
    async generate(request: ModelRequest): Promise<ModelTurn> {
      const done = request.messages.filter((m) => m.role === "tool").length;
      const k = request.messages.filter((m) => m.role === "assistant").length + 1;
      await maybeBlock(input, runId, `model:${k}`);
      log(input.dir, `model ${runId} ${k} ${WORKER}`);
      const usage = { inputTokens: 10 * k, outputTokens: 2 };
      if (done < input.calls) {
        return {
          text: "",
          toolCalls: [{ id: `call_${k}`, name: "work", args: { n: done + 1 } }],
          usage,
        };
      }
      return {
        text: "",
        toolCalls: [{ id: `call_${k}`, name: "done", args: { answer: `did ${done}` } }],
        usage,
      };
    },
  };
}

function workTool(input: CounterInput, runId: string) {
  return tool({
    name: "work",
    description: "Do one unit of work.",
    input: z.object({ n: z.number() }),
    async execute({ n }, ctx) {
      const key = ctx.idempotencyKey;
      log(input.dir, `tool-start ${runId} ${ctx.step} ${WORKER} ${key}`);
      await maybeBlock(input, runId, `tool:${ctx.step}`);
      if (input.throwAt === ctx.step) throw new Error(`work ${n} failed`);
      log(input.dir, `tool-end ${runId} ${ctx.step} ${WORKER} ${key}`);
      if (input.nonJsonAt === ctx.step) return { when: new Date(0) };
      return { n, squared: n * n };
    },
  });
}

function blockHook(input: CounterInput, runId: string): Hook {
  return {
    name: "block",
    prePrompt: async ({ turn }) => await maybeBlock(input, runId, `between:${turn}`),
    onLoopEnd: async () => await maybeBlock(input, runId, "end"),
  };
}

/** The counter agent under `name`. */
export function counterAgent(name: string): DbosAgent {
  return dbosAgent(name, (raw, { runId }) => {
    const input = raw as CounterInput;
    const hooks: Hook[] = [blockHook(input, runId)];
    if (input.approveAt !== undefined) {
      hooks.push(
        approvalHook({ tools: (call) => call.name === "work" && call.args.n === input.approveAt }),
      );
    }
    return {
      llm: countingModel(input, runId),
      tools: [workTool(input, runId)],
      hooks,
      task: `Do ${input.calls} units of work`,
      maxSteps: input.calls + 5,
    };
  });
}
