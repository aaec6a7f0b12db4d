// A long scripted agent that checkpoints every step. Run as a subprocess by
// checkpoint_crash_test.ts, which SIGKILLs it at several points and resumes:
//   deno run -A tests/hooks/_crash_agent.ts <checkpoint-dir> <effects-file> <pause-after> [keep-steps]
// It prints "step N" after each step. Once step <pause-after> is printed, the next tool call
// records its effect, prints "paused" and waits on stdin (which the test never writes), so the
// kill always lands mid-run, inside a call. The model is a pure function of the transcript, so
// every process answers the same way.
import { z } from "zod";
import {
  composableLoop,
  type ModelRequest,
  type Outcome,
  ScriptedBackend,
  tool,
} from "../../../../mod.ts";
import { checkpointHook } from "../../../../hooks/checkpoint/checkpoint_hook.ts";
import { FileCheckpointStore } from "../../../../hooks/checkpoint/file_checkpoint_store.ts";

export const TASK = "Square the numbers and report the sum";
export const TURNS = 24;

function reply(request: ModelRequest) {
  const turn = request.messages.filter((message) => message.role === "assistant").length + 1;
  const usage = { inputTokens: request.messages.length * 10, outputTokens: turn };
  if (turn > TURNS) {
    const sum = request.messages
      .filter((message) => message.role === "tool")
      .reduce((total, message) => total + (JSON.parse(message.content).value ?? 0), 0);
    return { toolCalls: [{ id: "finish", name: "done", args: { answer: `sum=${sum}` } }], usage };
  }
  const calls = turn % 3 === 0 ? [2 * turn, 2 * turn + 1] : [2 * turn];
  return {
    toolCalls: calls.map((i) => ({ id: `c${i}`, name: "work", args: { i } })),
    usage,
  };
}

export function agent(
  dir: string,
  effects: string,
  onStep: (n: number) => void,
  keepSteps?: number,
  afterEffect: () => Promise<void> = () => Promise.resolve(),
) {
  const work = tool({
    name: "work",
    description: "Square a number (slowly).",
    input: z.object({ i: z.number() }),
    // Squaring is safe to repeat: a call cut short by a crash runs again.
    onInterrupted: "retry",
    execute: async ({ i }, ctx) => {
      Deno.writeTextFileSync(effects, `${ctx.call.id}\n`, { append: true });
      await afterEffect();
      await new Promise((resolve) => setTimeout(resolve, 3));
      return { value: i * i };
    },
  });
  const store = new FileCheckpointStore(dir);
  return {
    store,
    async run(): Promise<Outcome | undefined> {
      const resume = await store.latest({ task: TASK });
      if (resume?.stopReason === "done") return undefined;
      const run = composableLoop({
        llm: new ScriptedBackend(Array.from({ length: 200 }, () => reply)),
        tools: [work],
        task: TASK,
        maxSteps: 100,
        ...(keepSteps === undefined ? {} : { keepSteps }),
        resume,
        hooks: [checkpointHook(store)],
      });
      for await (const step of run) onStep(step.number);
      return run.outcome;
    },
  };
}

if (import.meta.main) {
  const [dir, effects, pauseAfter, keepSteps] = Deno.args;
  const encoder = new TextEncoder();
  let last = 0;
  const pause = async () => {
    if (last < Number(pauseAfter)) return;
    Deno.stdout.writeSync(encoder.encode("paused\n"));
    // Blocks until the test kills this process (stdin is a pipe nobody writes to).
    while (await Deno.stdin.read(new Uint8Array(1)) !== null) { /* keep waiting */ }
    throw new Error("stdin closed before the kill");
  };
  await agent(
    dir!,
    effects!,
    (n) => {
      last = n;
      Deno.stdout.writeSync(encoder.encode(`step ${n}\n`));
    },
    keepSteps === undefined ? undefined : Number(keepSteps),
    pause,
  ).run();
}
