/**
 * One conformance suite for every fetch-based backend. Each backend supplies
 * a kit: a factory taking an injected `fetch`, plus real recorded responses
 * for the cases (and synthetic ones, labelled, where no recording exists).
 */
import assert from "node:assert/strict";
import type { Backend, Message, ModelDelta, ModelRequest } from "../../loop/types.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { type CannedResponse, type ReplayFetch, replayFetch } from "./_replay_fetch.ts";

/** Options a kit's factory must honour. */
export interface MakeOptions {
  readonly stream?: boolean | "auto";
  readonly timeoutMs?: number;
  readonly nativeTools?: boolean;
}

/** A call the fixture is known to contain. */
export interface ExpectedCall {
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** What a backend provides to the suite. */
export interface ConformanceKit {
  readonly name: string;
  /** Build the backend under test; it must use `apiKey` as its key. */
  make(fetch: ReplayFetch, options?: MakeOptions): Backend;
  readonly apiKey: string;
  /** A real recorded text stream and the text and usage it holds. */
  readonly textStream: { body: string; text: string; inputTokens: number; outputTokens: number };
  /** A real recorded non-streamed text reply. */
  readonly textJson: { body: string; textStart: string; inputTokens: number };
  /** A real recorded stream with two parallel tool calls. */
  readonly parallelStream: { body: string; calls: readonly ExpectedCall[] };
  /** A real recorded stream whose tool-call arguments are not valid JSON (or one built from one). */
  readonly invalidArgsStream: { body: string; raw: string; stopReason: string };
  /** Real recorded error responses. */
  readonly badRequest: { response: CannedResponse; providerType: string };
  readonly notFound: { response: CannedResponse; providerType: string };
  /** A retryable error response (real where recorded, else synthetic from the documented shape). */
  readonly rateLimited: { response: CannedResponse; providerType: string };
  /** SYNTHETIC (no real recording exists): a server error in the provider's documented shape. */
  readonly serverError: { response: CannedResponse; providerType: string };
  /** The header carrying the key, and how the key appears in it. */
  readonly keyHeader: { name: string; value: string };
}

const REQUEST: ModelRequest = {
  systemPrompt: "You are terse.",
  messages: [{ role: "user", content: "Say hello" }],
  tools: [{
    name: "greet",
    description: "Greet someone.",
    inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  }],
};

function sse(body: string): CannedResponse {
  return { body, headers: { "content-type": "text/event-stream" } };
}

/** Split an SSE body into its events (each keeps its closing blank line). */
function events(body: string): string[] {
  return body.replace(/\r\n/g, "\n").split(/(?<=\n\n)/).filter((e) => e.trim() !== "");
}

async function rejects(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BackendError, `expected a BackendError, got ${error}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

/** Register the suite's tests for one backend kit. */
export function backendConformance(kit: ConformanceKit): void {
  const t = (name: string, fn: () => Promise<void> | void) =>
    Deno.test(`${kit.name} conformance: ${name}`, fn);

  t("streams a recorded text reply, delivering every delta and the usage", async () => {
    const fetch = replayFetch(sse(kit.textStream.body));
    const deltas: ModelDelta[] = [];
    const turn = await kit.make(fetch).generate(REQUEST, { onDelta: (d) => deltas.push(d) });
    assert.equal(turn.text, kit.textStream.text);
    assert.equal(turn.stopReason, "end");
    assert.equal(turn.usage?.inputTokens, kit.textStream.inputTokens);
    assert.equal(turn.usage?.outputTokens, kit.textStream.outputTokens);
    const streamed = deltas.filter((d) => d.type === "text").map((d) =>
      (d as { text: string }).text
    );
    assert.ok(streamed.length > 1, "a stream arrives as several deltas");
    assert.equal(streamed.join(""), turn.text);
    assert.equal(fetch.requests[0]!.body.stream, true);
  });

  t("reads a recorded non-streamed reply when no deltas are asked for", async () => {
    const fetch = replayFetch({
      body: kit.textJson.body,
      headers: { "content-type": "application/json" },
    });
    const turn = await kit.make(fetch).generate(REQUEST);
    assert.ok(turn.text.startsWith(kit.textJson.textStart), turn.text);
    assert.equal(turn.usage?.inputTokens, kit.textJson.inputTokens);
    assert.equal(fetch.requests[0]!.body.stream, undefined);
  });

  t("sends the key in its header only, and the tools natively", async () => {
    const fetch = replayFetch(sse(kit.textStream.body));
    await kit.make(fetch).generate(REQUEST, { onDelta: () => {} });
    const seen = fetch.requests[0];
    assert.equal(seen!.headers.get(kit.keyHeader.name), kit.keyHeader.value);
    assert.ok(!JSON.stringify(seen!.body).includes(kit.apiKey));
    assert.ok(Array.isArray(seen!.body.tools) && seen!.body.tools.length === 1);
  });

  t("reassembles recorded parallel tool calls, streaming their argument deltas", async () => {
    const deltas: ModelDelta[] = [];
    const turn = await kit.make(replayFetch(sse(kit.parallelStream.body))).generate(REQUEST, {
      onDelta: (d) => deltas.push(d),
    });
    assert.deepEqual(
      turn.toolCalls?.map(({ id, name, args }) => ({ id, name, args })),
      kit.parallelStream.calls,
    );
    assert.equal(turn.stopReason, "tool_calls");
    const byIndex = new Map<number, string>();
    for (const d of deltas) {
      if (d.type === "tool_call") byIndex.set(d.index, (byIndex.get(d.index) ?? "") + d.argsText);
    }
    assert.equal(byIndex.size, kit.parallelStream.calls.length);
    for (const [index, text] of byIndex) {
      assert.deepEqual(JSON.parse(text || "{}"), kit.parallelStream.calls[index]!.args);
    }
  });

  t("delivers the first delta before the rest of the body has arrived", async () => {
    const parts = events(kit.textStream.body);
    const encoder = new TextEncoder();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        // Everything up to the first text-bearing event, then hold the line.
        const cut = parts.findIndex((e) => /"(content|text)":"[^"]/.test(e)) + 1;
        controller.enqueue(encoder.encode(parts.slice(0, cut).join("")));
        await released;
        controller.enqueue(encoder.encode(parts.slice(cut).join("")));
        controller.close();
      },
    });
    let firstDeltaAt = 0;
    const pending = kit.make(
      replayFetch({ body, headers: { "content-type": "text/event-stream" } }),
    )
      .generate(REQUEST, {
        onDelta: (d) => {
          if (d.type === "text" && firstDeltaAt === 0) {
            firstDeltaAt = performance.now();
            release();
          }
        },
      });
    const timer = setTimeout(release, 2000); // fail rather than hang
    const turn = await pending;
    clearTimeout(timer);
    assert.ok(firstDeltaAt > 0, "a text delta was delivered while the body was still open");
    assert.equal(turn.text, kit.textStream.text);
  });

  t("ignores malformed SSE lines and comments between events", async () => {
    const noisy = events(kit.textStream.body)
      .map((e, i) => (i % 3 === 0 ? `: keep-alive\nthis line is not a field\nid: 7\n${e}` : e))
      .join("");
    const turn = await kit.make(replayFetch(sse(noisy))).generate(REQUEST, { onDelta: () => {} });
    assert.equal(turn.text, kit.textStream.text);
  });

  t("turns a stream that stops mid-JSON into a retryable BackendError", async () => {
    const body = kit.parallelStream.body;
    const cut = body.indexOf("{", Math.floor(body.length / 2)) + 5;
    const error = await rejects(
      kit.make(replayFetch(sse(body.slice(0, cut)))).generate(REQUEST, { onDelta: () => {} }),
    );
    assert.equal(error.retryable, true);
    assert.match(error.message, /stream (stopped in the middle|ended before)/);
  });

  t("turns a stream cut between events (no end marker) into a retryable BackendError", async () => {
    const parts = events(kit.parallelStream.body);
    const body = parts.slice(0, Math.ceil(parts.length / 2)).join("");
    const error = await rejects(
      kit.make(replayFetch(sse(body))).generate(REQUEST, { onDelta: () => {} }),
    );
    assert.equal(error.retryable, true);
    assert.equal(error.providerType, "incomplete_stream");
  });

  t("reports tool-call arguments that are not JSON as argsError with args {}", async () => {
    const turn = await kit.make(replayFetch(sse(kit.invalidArgsStream.body))).generate(REQUEST, {
      onDelta: () => {},
    });
    const call = turn.toolCalls?.[0];
    assert.deepEqual(call?.args, {});
    assert.equal(call?.argsError, kit.invalidArgsStream.raw);
    assert.equal(turn.stopReason, kit.invalidArgsStream.stopReason);
  });

  for (
    const [label, key, retryable] of [
      ["a recorded 400", "badRequest", false],
      ["a recorded 404", "notFound", false],
      ["a 429", "rateLimited", true],
      ["a 5xx (synthetic)", "serverError", true],
    ] as const
  ) {
    t(`classifies ${label} as retryable=${retryable} with status and provider type`, async () => {
      const { response, providerType } = kit[key];
      const error = await rejects(kit.make(replayFetch(response)).generate(REQUEST));
      assert.equal(error.status, response.status);
      assert.equal(error.retryable, retryable);
      assert.equal(error.providerType, providerType);
      assert.match(error.message, new RegExp(`backend "[^"]+": status is ${response.status}`));
    });
  }

  t("honours Retry-After seconds, HTTP dates and retry-after-ms", async () => {
    const { response } = kit.rateLimited;
    const withHeaders = (headers: Record<string, string>) =>
      kit.make(replayFetch({ ...response, headers: { ...response.headers, ...headers } }))
        .generate(REQUEST);
    assert.equal((await rejects(withHeaders({ "retry-after": "2" }))).retryAfterMs, 2000);
    assert.equal((await rejects(withHeaders({ "retry-after-ms": "150.5" }))).retryAfterMs, 150.5);
    const date = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = (await rejects(withHeaders({ "retry-after": date }))).retryAfterMs ?? 0;
    assert.ok(fromDate > 25_000 && fromDate <= 30_000, String(fromDate));
  });

  t("reports an HTML error page instead of JSON clearly", async () => {
    const html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>" +
      "<body><h1>Bad Gateway</h1></body></html>";
    const error = await rejects(
      kit.make(replayFetch({ status: 502, body: html, headers: { "content-type": "text/html" } }))
        .generate(REQUEST),
    );
    assert.equal(error.status, 502);
    assert.equal(error.retryable, true);
    assert.match(error.message, /HTML page instead of JSON \(title "502 Bad Gateway"\)/);
  });

  t("reports a 200 whose body is an HTML page as a BackendError", async () => {
    const error = await rejects(
      kit.make(
        replayFetch({
          body: "<html><body>Login</body></html>",
          headers: { "content-type": "text/html" },
        }),
      )
        .generate(REQUEST),
    );
    assert.match(error.message, /HTML page instead of JSON/);
  });

  t("maps a network failure to a retryable BackendError that names the server", async () => {
    const fetch = replayFetch(() =>
      Promise.reject(new TypeError("error sending request: connection refused"))
    );
    const error = await rejects(kit.make(fetch).generate(REQUEST));
    assert.equal(error.retryable, true);
    assert.equal(error.providerType, "network");
    assert.match(error.message, /Cannot reach backend .* at https?:\/\/.*connection refused/);
  });

  t("never puts the key in an error message, even when the server echoes it", async () => {
    const body = JSON.stringify({
      error: {
        message: `Incorrect API key provided: ${kit.apiKey}`,
        type: "invalid_request_error",
      },
    });
    const error = await rejects(
      kit.make(replayFetch({ status: 401, body, headers: { "content-type": "application/json" } }))
        .generate(REQUEST),
    );
    assert.equal(error.retryable, false);
    assert.ok(!error.message.includes(kit.apiKey), error.message);
    assert.ok(!JSON.stringify(error.cause).includes(kit.apiKey));
    assert.match(error.message, /\[redacted\]/);
  });

  t("aborts the in-flight stream at once on cancellation", async () => {
    const controller = new AbortController();
    const parts = events(kit.textStream.body);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(parts.slice(0, 3).join("")));
        // never closes
      },
    });
    const fetch = replayFetch({ body, headers: { "content-type": "text/event-stream" } });
    const started = performance.now();
    const pending = kit.make(fetch).generate(REQUEST, {
      signal: controller.signal,
      onDelta: () => {},
    });
    // Abort once the body is open and some of it was read.
    setTimeout(() => controller.abort(new DOMException("stop", "AbortError")), 20);
    await assert.rejects(pending, (error: Error) => error.name === "AbortError");
    assert.ok(performance.now() - started < 1000);
    assert.equal(fetch.requests[0]!.signal?.aborted, true);
  });

  t("times out a request that never completes, as a retryable BackendError", async () => {
    const body = new ReadableStream<Uint8Array>({ start() {} });
    const fetch = replayFetch({ body, headers: { "content-type": "text/event-stream" } });
    const error = await rejects(
      kit.make(fetch, { timeoutMs: 30 }).generate(REQUEST, { onDelta: () => {} }),
    );
    assert.equal(error.retryable, true);
    assert.equal(error.providerType, "timeout");
    assert.match(error.message, /within 30 ms/);
  });

  t("renders tool calls and results as plain text when native tools are off", async () => {
    const fetch = replayFetch(sse(kit.textStream.body));
    const messages: Message[] = [
      { role: "user", content: "Greet Bob" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c1", name: "greet", args: { name: "Bob" } }],
      },
      { role: "tool", content: "Hello, Bob!", toolCallId: "c1", toolName: "greet" },
    ];
    await kit.make(fetch, { nativeTools: false }).generate({ ...REQUEST, messages }, {
      onDelta: () => {},
    });
    const sent = JSON.stringify(fetch.requests[0]!.body);
    assert.equal(fetch.requests[0]!.body.tools, undefined);
    assert.ok(!sent.includes("tool_call_id") && !sent.includes("tool_use_id"), sent);
    assert.ok(sent.includes('{\\"tool\\":\\"greet\\",\\"args\\":{\\"name\\":\\"Bob\\"}}'), sent);
    assert.ok(sent.includes('Tool \\"greet\\" (call c1) returned:\\nHello, Bob!'), sent);
  });
}
