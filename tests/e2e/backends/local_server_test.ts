/**
 * The backends over a real HTTP connection to a 127.0.0.1 server the test
 * starts and stops, using the platform `fetch` (no injection): streaming
 * before the body ends, cancellation reaching the server, and the timeout.
 */
import assert from "node:assert/strict";
import { AnthropicBackend } from "../../../backends/anthropic/backend.ts";
import { OpenAICompatibleBackend } from "../../../backends/openai/backend.ts";
import { BackendError } from "../../../backends/backend_error.ts";
import type { ModelRequest } from "../../../loop/types.ts";
import { fixtureText } from "../../backends/_replay_fetch.ts";

const REQUEST: ModelRequest = {
  messages: [{ role: "user", content: "hi" }],
  systemPrompt: "",
  tools: [],
};

interface Served {
  readonly url: string;
  readonly seen: Headers[];
  /** Resolves when the server noticed the client went away. */
  readonly clientGone: Promise<void>;
  /** How many response bodies the server started. */
  readonly started: () => number;
  close(): Promise<void>;
}

/** Fail with a clear message when `promise` has not settled within `ms` (a deadline, not a wait). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serve `first`, then wait for `gate`, then `rest` (or nothing more, when `rest` is undefined).
 * `close()` ends every body still open first, so the server's graceful shutdown cannot hang.
 */
function serve(first: string, gate: Promise<void>, rest?: string): Served {
  const seen: Headers[] = [];
  let gone!: () => void;
  const clientGone = new Promise<void>((resolve) => (gone = resolve));
  let release!: () => void;
  const closing = new Promise<void>((resolve) => (release = resolve));
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  let started = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(new Headers(request.headers));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        started++;
        open.add(controller);
        controller.enqueue(encoder.encode(first));
        await Promise.race([gate, closing]);
        if (rest !== undefined && open.has(controller)) controller.enqueue(encoder.encode(rest));
        if (open.delete(controller)) controller.close();
      },
      cancel() {
        gone();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    clientGone,
    started: () => started,
    close: async () => {
      release();
      for (const controller of open) {
        try {
          controller.close();
        } catch { /* the client already cancelled this body */ }
      }
      open.clear();
      await within(server.shutdown(), 10_000, "the server shutting down");
    },
  };
}

Deno.test("OpenAICompatibleBackend streams over real HTTP: the first delta arrives while the server holds the rest", async () => {
  const body = fixtureText("openai/pydantic-ai/complex-agent-run-stream.2.response.sse");
  const cut = body.indexOf("\n\n", body.indexOf('"arguments":"{\\"')) + 2;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const server = serve(body.slice(0, cut), gate, body.slice(cut));
  try {
    const llm = new OpenAICompatibleBackend({
      model: "gpt-4o",
      baseUrl: `${server.url}/v1`,
      apiKey: "sk-local-test",
    });
    let before = 0;
    const turn = await llm.generate(REQUEST, {
      onDelta: (delta) => {
        if (delta.type === "tool_call") {
          before++;
          open(); // only now does the server send the rest
        }
      },
    });
    assert.ok(before > 1);
    assert.equal(turn.toolCalls?.[0]?.name, "final_result");
    assert.equal(server.seen[0]!.get("authorization"), "Bearer sk-local-test");
  } finally {
    await server.close();
  }
});

Deno.test("AnthropicBackend cancellation over real HTTP closes the connection at once", async () => {
  const body = fixtureText("anthropic/llm-anthropic/thinking.0.response.sse");
  const server = serve(body.slice(0, body.indexOf("thinking_delta") + 200), new Promise(() => {}));
  try {
    const controller = new AbortController();
    const llm = new AnthropicBackend({ model: "m", apiKey: "sk-ant-local", baseUrl: server.url });
    const pending = llm.generate(REQUEST, {
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    await assert.rejects(pending, (error: Error) => error.name === "AbortError");
    await within(server.clientGone, 10_000, "the server seeing the client go away");
  } finally {
    await server.close();
  }
});

Deno.test("OpenAICompatibleBackend times out a real server that stalls mid-stream", async () => {
  const server = serve(
    'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n',
    new Promise(() => {}),
  );
  try {
    const llm = new OpenAICompatibleBackend({
      model: "m",
      baseUrl: `${server.url}/v1`,
      timeoutMs: 50,
    });
    const error = await llm.generate(REQUEST, { onDelta: () => {} }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof BackendError);
    assert.equal(error.providerType, "timeout");
    assert.equal(error.retryable, true);
    // Under load the deadline can pass before the server starts the body; then there is no
    // stream for the client to cancel. Once a body has started, the client must close it.
    if (server.started() > 0) {
      await within(server.clientGone, 10_000, "the server seeing the client go away");
    }
  } finally {
    await server.close();
  }
});

Deno.test("OpenAICompatibleBackend reports a refused connection as a retryable network error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens on this port now
  const llm = new OpenAICompatibleBackend({ model: "m", baseUrl: `http://127.0.0.1:${port}/v1` });
  const error = await llm.generate(REQUEST).then(() => undefined, (e) => e);
  assert.ok(error instanceof BackendError);
  assert.equal(error.providerType, "network");
  assert.equal(error.retryable, true);
  assert.match(error.message, new RegExp(`at http://127.0.0.1:${port}/v1/chat/completions`));
});
