import assert from "node:assert/strict";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { composableLoop, ScriptedBackend } from "../../../mod.ts";
import { otelHook } from "../../../hooks/otel/mod.ts";
import { boom, greet } from "../../loop/_tools.ts";

const call = ScriptedBackend.call;

function parentId(span: ReadableSpan): string | undefined {
  const s = span as unknown as { parentSpanContext?: { spanId: string }; parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId;
}

Deno.test("otelHook() records run, turn, LLM and tool spans with token attributes", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("test");
  await composableLoop({
    llm: new ScriptedBackend([
      {
        toolCalls: [{ name: "greet", args: { name: "Ann" } }],
        usage: { inputTokens: 12, outputTokens: 3 },
      },
      { toolCalls: [{ name: "boom", args: {} }], usage: { inputTokens: 20, outputTokens: 4 } },
      call("done", { answer: "x" }),
    ]),
    tools: [greet, boom],
    task: "Greet Ann secretly",
    hooks: [
      otelHook({ tracer, redact: (text) => text.replaceAll("secretly", "[R]"), recordArgs: true }),
    ],
  }).complete();
  const spans = exporter.getFinishedSpans();
  const byName = (name: string) => spans.filter((span) => span.name === name);
  const [run] = byName("looplet.run");
  assert.equal(run!.attributes["looplet.task"], "Greet Ann [R]");
  assert.equal(run!.attributes["looplet.stop_reason"], "done");
  assert.equal(run!.attributes["gen_ai.usage.input_tokens"], 32);
  const turns = byName("looplet.turn");
  assert.equal(turns.length, 3);
  assert.ok(turns.every((turn) => parentId(turn) === run!.spanContext().spanId));
  const llm = byName("looplet.llm");
  assert.equal(llm.length, 3);
  assert.equal(llm[0]!.attributes["gen_ai.usage.input_tokens"], 12);
  assert.equal(llm[0]!.attributes["gen_ai.usage.output_tokens"], 3);
  assert.equal(parentId(llm[0]!), turns[0]!.spanContext().spanId);
  const greetSpan = byName("looplet.tool greet")[0];
  assert.equal(greetSpan!.attributes["gen_ai.tool.name"], "greet");
  assert.equal(greetSpan!.attributes["looplet.tool.args"], '{"name":"Ann"}');
  assert.equal(parentId(greetSpan!), turns[0]!.spanContext().spanId);
  const boomSpan = byName("looplet.tool boom")[0];
  assert.equal(boomSpan!.status.code, 2); // SpanStatusCode.ERROR
  assert.equal(boomSpan!.attributes["looplet.error_kind"], "execution");
  assert.equal(byName("looplet.tool done").length, 1, "steps without tool_start still get a span");
  await provider.shutdown();
});

Deno.test("otelHook() marks a failed model call and ends every span when the run stops early", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const run = composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" }), new Error("provider exploded")]),
    tools: [greet],
    task: "x",
    hooks: [otelHook({ tracer: provider.getTracer("t") })],
  });
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "llm_error");
  const spans = exporter.getFinishedSpans();
  const failed = spans.filter((s) => s.name === "looplet.llm")[1];
  assert.equal(failed!.status.code, 2);
  assert.equal(failed!.status.message, "provider exploded");
  assert.equal(spans.filter((s) => s.name === "looplet.turn").length, 2);
  assert.equal(spans.filter((s) => s.name === "looplet.run").length, 1);
  await provider.shutdown();
});
