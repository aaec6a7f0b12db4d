/**
 * Hello world: an agent greets Alice and Bob, then finishes.
 *
 * Runs offline on a scripted model: `deno task demo`.
 * With `--trace DIR` (once the provenance module lands) it records a trace.
 *
 * @module
 */
import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../mod.ts";

const greet = tool({
  name: "greet",
  description: "Greet someone by name.",
  input: z.object({ name: z.string().describe("Who to greet") }),
  execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
});

/** The scripted model: what a real model would answer to this task. */
export function helloScript(): ScriptedBackend {
  return new ScriptedBackend([
    ScriptedBackend.call("greet", { name: "Alice" }, "Start with Alice"),
    ScriptedBackend.call("greet", { name: "Bob" }, "Then Bob"),
    ScriptedBackend.call("done", { answer: "Greeted Alice and Bob" }),
  ]);
}

if (import.meta.main) {
  const run = composableLoop({
    llm: helloScript(),
    tools: [greet],
    task: "Greet Alice and Bob, then finish.",
  });
  for await (const step of run) console.log(step.pretty());
  const outcome = await run.outcome;
  console.log(
    `stop: ${outcome.stopReason} · answer: ${outcome.finalAnswer} · steps: ${outcome.steps}`,
  );
}

export { greet };
