import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import type { Backend, Hook, Outcome, ScriptedResponse } from "../../mod.ts";
import { ProvenanceSink, type ProvenanceSinkOptions } from "../../provenance/mod.ts";

export const greet = tool({
  name: "greet",
  description: "Greet someone by name.",
  input: z.object({ name: z.string() }),
  execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
});

export const HELLO_SCRIPT: ScriptedResponse[] = [
  {
    ...ScriptedBackend.call("greet", { name: "Alice" }, "Start with Alice"),
    usage: { inputTokens: 120, outputTokens: 12 },
  },
  {
    ...ScriptedBackend.call("greet", { name: "Bob" }, "Then Bob"),
    usage: { inputTokens: 150, outputTokens: 11 },
  },
  {
    ...ScriptedBackend.call("done", { answer: "Greeted Alice and Bob" }),
    usage: { inputTokens: 180, outputTokens: 9 },
  },
];

export const REFERENCE_TRACE = new URL("./fixtures/reference_trace", import.meta.url).pathname;

export async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "looplet_trace_" });
}

export interface RecordOptions extends ProvenanceSinkOptions {
  script?: ScriptedResponse[];
  tools?: Parameters<typeof composableLoop>[0]["tools"];
  hooks?: Hook[];
  task?: string;
  backend?: Backend;
  maxSteps?: number;
}

/** Record a scripted run into `dir`; returns the sink, the inner backend and the outcome. */
export async function record(
  dir: string,
  options: RecordOptions = {},
): Promise<{ sink: ProvenanceSink; inner: Backend; outcome: Outcome }> {
  const {
    script = HELLO_SCRIPT,
    tools = [greet],
    hooks = [],
    task = "Greet Alice and Bob, then finish.",
    backend,
    maxSteps,
    ...sinkOptions
  } = options;
  const sink = new ProvenanceSink(dir, sinkOptions);
  const inner = backend ?? new ScriptedBackend(script, { recordRequests: true });
  const run = composableLoop({
    llm: sink.wrap(inner),
    tools,
    task,
    hooks: [...hooks, sink.hook()],
    retry: { attempts: 1 },
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  });
  const outcome = await run.complete();
  await sink.flush();
  return { sink, inner, outcome };
}

export async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Command io that keeps what a command prints, line by line. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (text: string) => void out.push(text),
      stderr: (text: string) => void err.push(text),
    },
  };
}
