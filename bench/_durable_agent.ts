/**
 * The agent the durable benchmark runs (private to bench/): `steps - 1`
 * trivial tool calls, then `done`. Its model is a function of the request,
 * as a replay-safe model must be.
 *
 * @module
 */
import { z } from "zod";
import { tool } from "../mod.ts";
import type { Backend, ModelRequest, ModelTurn } from "../mod.ts";
import { type DbosAgent, dbosAgent } from "../dbos/mod.ts";

const noop = tool({
  name: "noop",
  description: "Does nothing.",
  input: z.object({ i: z.number() }),
  execute: ({ i }) => ({ i }),
});

function model(steps: number): Backend {
  return {
    name: "bench",
    capabilities: { nativeTools: true },
    generate(request: ModelRequest): Promise<ModelTurn> {
      let done = 0;
      for (const message of request.messages) if (message.role === "tool") done++;
      const call = done < steps - 1
        ? { id: `c${done + 1}`, name: "noop", args: { i: done + 1 } }
        : { id: `c${done + 1}`, name: "done", args: { answer: "ok" } };
      return Promise.resolve({ text: "", toolCalls: [call] });
    },
  };
}

/** The loop's options for a run of `steps` steps. */
export function benchOptions(steps: number): {
  llm: Backend;
  tools: [typeof noop];
  task: string;
  maxSteps: number;
} {
  return { llm: model(steps), tools: [noop], task: "bench", maxSteps: steps };
}

/** The agent: input is the number of steps. */
export const benchAgent: DbosAgent = dbosAgent(
  "bench-durable",
  (input) => benchOptions(input as number),
);
