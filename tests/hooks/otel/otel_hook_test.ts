import assert from "node:assert/strict";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type Backend, BackendError, composableLoop, type ModelTurn } from "../../../mod.ts";
import { otelHook } from "../../../hooks/otel/mod.ts";
import { boom, greet } from "../../loop/_tools.ts";

function parentId(span: ReadableSpan): string | undefined {
  const s = span as unknown as { parentSpanContext?: { spanId: string }; parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId;
}

/** A backend that names its provider and model, like the provider backends do, and replays `turns`. */
function modelBackend(turns: (ModelTurn | Error)[]): Backend {
  let next = 0;
  return {
    name: "openai",
    model: "gpt-test",
    capabilities: { nativeTools: true },
    generate() {
      const turn = turns[next++];
      if (turn === undefined) throw new Error("out of turns");
      return turn instanceof Error ? Promise.reject(turn) : Promise.resolve(turn);
    },
  };
}

function recorder() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, tracer: provider.getTracer("test") };
}

Deno.test("otelHook() names spans and attributes by the GenAI semantic conventions", async () => {
  const { exporter, provider, tracer } = recorder();
  await composableLoop({
    llm: modelBackend([
      {
        text: "",
        toolCalls: [{ id: "c1", name: "greet", args: { name: "Ann" } }],
        usage: { inputTokens: 12, outputTokens: 3, cacheReadTokens: 8, cacheWriteTokens: 4 },
        stopReason: "tool_calls",
        model: "gpt-test-2026-01-01",
      },
      {
        text: "",
        toolCalls: [{ id: "c2", name: "boom", args: {} }],
        usage: { inputTokens: 20, outputTokens: 4 },
        stopReason: "tool_calls",
      },
      {
        text: "",
        toolCalls: [{ id: "c3", name: "done", args: { answer: "x" } }],
        usage: { inputTokens: 5, outputTokens: 1 },
        stopReason: "end",
      },
    ]),
    tools: [greet, boom],
    task: "Greet Ann secretly",
    hooks: [
      otelHook({
        tracer,
        agent: "greeter",
        redact: (text) => text.replaceAll("secretly", "[R]"),
        recordArgs: true,
      }),
    ],
  }).complete();
  const spans = exporter.getFinishedSpans();
  const named = (name: string) => spans.filter((span) => span.name === name);
  assert.deepEqual(
    spans.map((span) => span.name).sort(),
    [
      "chat gpt-test",
      "chat gpt-test",
      "chat gpt-test",
      "execute_tool boom",
      "execute_tool done",
      "execute_tool greet",
      "invoke_agent greeter",
    ],
  );

  const [agent] = named("invoke_agent greeter");
  const a = agent!.attributes;
  assert.equal(agent!.kind, 0); // SpanKind.INTERNAL
  assert.equal(a["gen_ai.operation.name"], "invoke_agent");
  assert.equal(a["gen_ai.agent.name"], "greeter");
  assert.equal(a["gen_ai.provider.name"], "openai");
  assert.equal(a["gen_ai.request.model"], "gpt-test");
  assert.equal(a["gen_ai.usage.input_tokens"], 37);
  assert.equal(a["gen_ai.usage.output_tokens"], 8);
  assert.equal(a["gen_ai.usage.cache_read.input_tokens"], 8);
  assert.equal(a["gen_ai.usage.cache_creation.input_tokens"], 4);
  assert.equal(a["looplet.task"], "Greet Ann [R]");
  assert.equal(a["looplet.stop_reason"], "done");
  assert.equal(a["error.type"], undefined);

  const chats = named("chat gpt-test");
  assert.ok(chats.every((span) => parentId(span) === agent!.spanContext().spanId));
  const first = chats[0]!.attributes;
  assert.equal(chats[0]!.kind, 2); // SpanKind.CLIENT
  assert.equal(first["gen_ai.operation.name"], "chat");
  assert.equal(first["gen_ai.provider.name"], "openai");
  assert.equal(first["gen_ai.request.model"], "gpt-test");
  assert.equal(first["gen_ai.response.model"], "gpt-test-2026-01-01");
  assert.deepEqual(first["gen_ai.response.finish_reasons"], ["tool_calls"]);
  assert.equal(first["gen_ai.usage.input_tokens"], 12);
  assert.equal(first["gen_ai.usage.output_tokens"], 3);
  assert.equal(first["gen_ai.usage.cache_read.input_tokens"], 8);
  assert.equal(first["gen_ai.usage.cache_creation.input_tokens"], 4);
  const second = chats[1]!.attributes;
  assert.equal(second["gen_ai.response.model"], "gpt-test", "falls back to the request model");
  assert.equal(second["gen_ai.usage.cache_read.input_tokens"], undefined);
  assert.deepEqual(chats[2]!.attributes["gen_ai.response.finish_reasons"], ["end"]);

  const [greetSpan] = named("execute_tool greet");
  const g = greetSpan!.attributes;
  assert.equal(g["gen_ai.operation.name"], "execute_tool");
  assert.equal(g["gen_ai.tool.name"], "greet");
  assert.equal(g["gen_ai.tool.call.id"], "c1");
  assert.equal(g["gen_ai.tool.type"], "function");
  assert.equal(g["gen_ai.provider.name"], "openai");
  assert.equal(g["looplet.tool.args"], '{"name":"Ann"}');
  assert.equal(g["error.type"], undefined);
  assert.equal(parentId(greetSpan!), agent!.spanContext().spanId);
  const [boomSpan] = named("execute_tool boom");
  assert.equal(boomSpan!.status.code, 2); // SpanStatusCode.ERROR
  assert.equal(boomSpan!.attributes["error.type"], "execution");
  await provider.shutdown();
});

Deno.test("otelHook() sets error.type on a failed chat and on the run it ended", async () => {
  const { exporter, provider, tracer } = recorder();
  const outcome = await composableLoop({
    llm: modelBackend([
      { text: "", toolCalls: [{ id: "c1", name: "greet", args: { name: "A" } }] },
      new BackendError("provider exploded", { status: 400 }),
    ]),
    tools: [greet],
    task: "x",
    hooks: [otelHook({ tracer, provider: "azure.ai.openai" })],
  }).complete();
  assert.equal(outcome.stopReason, "llm_error");
  const spans = exporter.getFinishedSpans();
  const chats = spans.filter((span) => span.name === "chat gpt-test");
  assert.equal(chats.length, 2);
  assert.equal(chats[1]!.status.code, 2);
  assert.equal(chats[1]!.status.message, "provider exploded");
  assert.equal(chats[1]!.attributes["error.type"], "BackendError");
  assert.equal(chats[1]!.attributes["gen_ai.provider.name"], "azure.ai.openai");
  const [agent] = spans.filter((span) => span.name === "invoke_agent looplet");
  assert.equal(agent!.attributes["gen_ai.agent.name"], "looplet");
  assert.equal(agent!.attributes["error.type"], "BackendError");
  assert.equal(agent!.status.code, 2);
  await provider.shutdown();
});
