/**
 * SSE + delta reassembly benchmark.
 *
 * 1. Throughput: the largest recorded stream (openai-text, 303 chunks) and the
 *    largest tool-call stream (complex-agent-run-stream.2, arguments in many
 *    fragments), each repeated to 10 MB, parsed by the real backends through
 *    an in-memory fetch in 64 KiB reads. Prints MB/s (target ≥ 50).
 * 2. Added latency: from the moment the first event's bytes are handed to the
 *    response body to the first delta delivered to the caller (target < 1 ms),
 *    in memory and over a real 127.0.0.1 HTTP server.
 *
 * Run: deno run -A bench/sse_bench.ts
 *
 * @module
 */
import { OpenAICompatibleBackend } from "../backends/openai/backend.ts";
import { AnthropicBackend } from "../backends/anthropic/backend.ts";
import type { ModelRequest } from "../loop/types.ts";
import { median, quantile } from "./_bench_utils.ts";

const FIXTURES = new URL("../tests/fixtures/", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, FIXTURES));
const TARGET_BYTES = 10 * 1024 * 1024;
const READ_SIZE = 64 * 1024;
const REQUEST: ModelRequest = {
  messages: [{ role: "user", content: "x" }],
  systemPrompt: "",
  tools: [],
};

/** Repeat the events of a stream (without its end marker) to ~10 MB, then end it. */
function repeatTo(events: string, end: string): Uint8Array {
  const copies = Math.ceil(TARGET_BYTES / events.length);
  return new TextEncoder().encode(events.repeat(copies) + end);
}

function fetchOf(bytes: Uint8Array) {
  return () => {
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + READ_SIZE));
        offset += READ_SIZE;
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "text/event-stream" } }),
    );
  };
}

async function throughput(
  label: string,
  make: (f: typeof fetch) => { generate: typeof OpenAICompatibleBackend.prototype.generate },
  bytes: Uint8Array,
) {
  const backend = make(fetchOf(bytes) as typeof fetch);
  let deltas = 0;
  for (let i = 0; i < 3; i++) await backend.generate(REQUEST, { onDelta: () => deltas++ }); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    deltas = 0;
    const started = performance.now();
    await backend.generate(REQUEST, { onDelta: () => deltas++ });
    runs.push(performance.now() - started);
  }
  const ms = median(runs);
  const mb = bytes.length / (1024 * 1024);
  console.log(
    `${label.padEnd(44)} ${mb.toFixed(1)} MB, ${deltas} deltas, median ${ms.toFixed(0)} ms ` +
      `→ ${(mb / (ms / 1000)).toFixed(0)} MB/s`,
  );
}

const openAiLines = read("openai/vercel-ai/openai-text.chunks.txt").split("\n").filter(Boolean);
const openAiEvents = openAiLines.map((l) => `data: ${l}\n\n`).join("");
const toolSse = read("openai/pydantic-ai/complex-agent-run-stream.2.response.sse")
  .replace("data: [DONE]\n\n", "");
const anthropicSse = read("anthropic/llm-anthropic/thinking.0.response.sse");
const anthropicBody = anthropicSse.slice(
  anthropicSse.indexOf("event: content_block_start"),
  anthropicSse.lastIndexOf("event: content_block_stop"),
);
const anthropicHead = anthropicSse.slice(0, anthropicSse.indexOf("event: content_block_start"));
const anthropicTail = anthropicSse.slice(anthropicSse.lastIndexOf("event: content_block_stop"));

const openai = (f: typeof fetch) =>
  new OpenAICompatibleBackend({ model: "m", baseUrl: "http://127.0.0.1:1/v1", fetch: f });
const anthropic = (f: typeof fetch) =>
  new AnthropicBackend({ model: "m", apiKey: "k-bench", fetch: f });

console.log("== throughput (SSE parse + JSON + delta reassembly, target ≥ 50 MB/s) ==");
await throughput(
  "openai-text.chunks (303 chunks) ×N",
  openai,
  repeatTo(openAiEvents, "data: [DONE]\n\n"),
);
await throughput(
  "complex-agent-run-stream.2 (tool args) ×N",
  openai,
  repeatTo(toolSse, "data: [DONE]\n\n"),
);
await throughput(
  "anthropic thinking.0 (thinking + text) ×N",
  anthropic,
  new TextEncoder().encode(
    anthropicHead + anthropicBody.repeat(Math.ceil(TARGET_BYTES / anthropicBody.length)) +
      anthropicTail,
  ),
);

// --- latency ---------------------------------------------------------------

const firstEvents = openAiLines.slice(0, 2).map((l) => `data: ${l}\n\n`).join("");
const restEvents = openAiLines.slice(2).map((l) => `data: ${l}\n\n`).join("") + "data: [DONE]\n\n";

function stats(samples: number[]): string {
  const pick = (q: number) => quantile(samples, q);
  return `median ${(pick(0.5) * 1000).toFixed(0)} µs, p99 ${(pick(0.99) * 1000).toFixed(0)} µs ` +
    `(n=${samples.length})`;
}

async function inMemoryLatency(): Promise<number> {
  let push!: (text: string) => void;
  let close!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (text) => controller.enqueue(new TextEncoder().encode(text));
      close = () => controller.close();
    },
  });
  const backend = openai(() =>
    Promise.resolve(new Response(body, { headers: { "content-type": "text/event-stream" } }))
  );
  let sent = 0;
  let firstDelta = 0;
  const done = backend.generate(REQUEST, {
    onDelta: () => {
      if (firstDelta === 0) firstDelta = performance.now();
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the request start reading
  sent = performance.now();
  push(firstEvents);
  while (firstDelta === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  push(restEvents);
  close();
  await done;
  return firstDelta - sent;
}

const memory: number[] = [];
for (let i = 0; i < 300; i++) memory.push(await inMemoryLatency());
console.log("== first byte → first delta (target < 1 ms) ==");
console.log(`in memory (our parsing only)          ${stats(memory.slice(20))}`);

// Over a real loopback HTTP connection: the server stamps the moment it writes
// the first event; the client stamps the first delta (same process clock).
let writtenAt = 0;
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      writtenAt = performance.now();
      controller.enqueue(new TextEncoder().encode(firstEvents));
      await new Promise((resolve) => setTimeout(resolve, 5));
      controller.enqueue(new TextEncoder().encode(restEvents));
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
});
const loopback: number[] = [];
const http = new OpenAICompatibleBackend({
  model: "m",
  baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
});
for (let i = 0; i < 100; i++) {
  let firstDelta = 0;
  await http.generate(REQUEST, {
    onDelta: () => {
      if (firstDelta === 0) firstDelta = performance.now();
    },
  });
  loopback.push(firstDelta - writtenAt);
}
await server.shutdown();
console.log(`127.0.0.1 HTTP (incl. kernel + fetch)  ${stats(loopback.slice(10))}`);
