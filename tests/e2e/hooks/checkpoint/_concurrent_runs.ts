// 200 runs at once, each with its own checkpoint store, as one process does
// under load. Run by concurrent_runs_test.ts, which reads the peak RSS it prints:
//   deno run -A _concurrent_runs.ts <root-dir> <runs> <steps-per-run>
import { z } from "zod";
import { composableLoop, type ModelTurn, tool } from "../../../../mod.ts";
import { checkpointHook, FileCheckpointStore } from "../../../../hooks/mod.ts";

const [root, runs = "200", steps = "20"] = Deno.args;
const work = tool({
  name: "work",
  description: "Return a record.",
  input: z.object({ i: z.number() }),
  execute: async ({ i }) => {
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the other runs interleave
    return { i, text: "x".repeat(200) };
  },
});

function backend(n: number) {
  let calls = 0;
  return {
    name: "counting",
    capabilities: { nativeTools: true },
    generate(): Promise<ModelTurn> {
      calls++;
      const name = calls < n ? "work" : "done";
      return Promise.resolve({
        text: "",
        toolCalls: [{ id: `c${calls}`, name, args: calls < n ? { i: calls } : { answer: "ok" } }],
      });
    },
  };
}

const outcomes = await Promise.all(
  Array.from({ length: Number(runs) }, (_, index) =>
    composableLoop({
      llm: backend(Number(steps)),
      tools: [work],
      task: `Run ${index}`,
      maxSteps: Number(steps),
      hooks: [checkpointHook(new FileCheckpointStore(`${root}/run-${index}`))],
    }).complete()),
);
const done = outcomes.filter((outcome) => outcome.stopReason === "done").length;
const kb = Number(/VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1]);
console.log(JSON.stringify({ done, peakRssMb: kb / 1024 }));
