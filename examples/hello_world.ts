/**
 * Hello world: an agent greets Alice and Bob, then finishes.
 *
 * Runs offline on a scripted model: `deno run -A examples/hello_world.ts`.
 * With `OPENAI_BASE_URL` and `OPENAI_MODEL` set (for Ollama:
 * `OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2`), or
 * `ANTHROPIC_API_KEY`, it asks that real model instead; `--scripted` forces
 * the scripted model even then.
 * With `--trace DIR` it records a provenance trace in DIR (show it with
 * `showTrace`, replay it with `replayLoop`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Backend, composableLoop, type Hook, ScriptedBackend, tool } from "../mod.ts";

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

/** The demo's task. */
export const HELLO_TASK = "Greet Alice and Bob, then finish.";

if (import.meta.main) {
  let values: { trace?: string; scripted?: boolean };
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: { trace: { type: "string" }, scripted: { type: "boolean" } },
    }));
  } catch (error) {
    console.error(
      `error: ${(error as Error).message}\nusage: hello_world.ts [--scripted] [--trace DIR]`,
    );
    Deno.exit(2);
  }
  let llm: Backend;
  try {
    // The real backends load only when a model is configured.
    const configured = values.scripted !== true &&
      ["OPENAI_BASE_URL", "OPENAI_MODEL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"]
        .some((name) => Deno.env.get(name));
    llm = configured
      ? (await import("../backends/backend_from_env.ts")).backendFromEnv(Deno.env.toObject()) ??
        helloScript()
      : helloScript();
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(2);
  }
  const hooks: Hook[] = [];
  let flush: (() => Promise<string>) | undefined;
  if (values.trace !== undefined) {
    // Loaded only when asked for, so the plain demo stays as light as before.
    const { ProvenanceSink } = await import("../provenance/provenance_sink.ts");
    const sink = new ProvenanceSink(values.trace);
    llm = sink.wrap(llm);
    hooks.push(sink.hook());
    flush = () => sink.flush();
  }
  try {
    const run = composableLoop({ llm, tools: [greet], task: HELLO_TASK, hooks });
    for await (const step of run) console.log(step.pretty());
    const outcome = await run.outcome;
    console.log(
      `stop: ${outcome.stopReason} · answer: ${outcome.finalAnswer} · steps: ${outcome.steps}`,
    );
    if (flush !== undefined) console.log(`trace: ${await flush()}`);
    if (outcome.error !== undefined) {
      console.error(`error: ${outcome.error.message}`);
      Deno.exit(1);
    }
  } catch (error) {
    const cause = (error as Error).cause;
    console.error(`error: ${cause instanceof Error ? cause.message : (error as Error).message}`);
    Deno.exit(1);
  }
}

export { greet };
