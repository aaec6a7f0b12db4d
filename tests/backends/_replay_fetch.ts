/**
 * Test helpers: load the recorded real-traffic fixtures (tests/fixtures/) and replay them through
 * an injected `fetch` that records every request it receives.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** Read a fixture file as text (path relative to `tests/fixtures/`). */
export function fixtureText(path: string): string {
  return Deno.readTextFileSync(new URL(path, FIXTURES));
}

/** Read a fixture file as JSON. */
export function fixtureJson<T = unknown>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

/** `*.chunks.txt` (one JSON payload per line) as an OpenAI SSE body, with `[DONE]`. */
export function openAiChunksToSse(chunks: string, done = true): string {
  const lines = chunks.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => `data: ${line}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
}

/** `*.chunks.txt` as an Anthropic SSE body (`event:` named after the JSON type). */
export function anthropicChunksToSse(chunks: string): string {
  const lines = chunks.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => `event: ${JSON.parse(line).type}\ndata: ${line}\n\n`).join("");
}

/** One canned HTTP answer. */
export interface CannedResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A string is sent in pieces of `chunkSize` bytes; a stream is sent as is. */
  readonly body: string | ReadableStream<Uint8Array>;
  /** Split string bodies into pieces of this many bytes. @default 64 */
  readonly chunkSize?: number;
}

/** A recorded request. */
export interface SeenRequest {
  readonly url: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly signal: AbortSignal | undefined;
}

/** A fake fetch serving `responses` in order, recording requests. */
export interface ReplayFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  readonly requests: SeenRequest[];
}

/** Build a byte stream from a string, split into small pieces (like a network). */
export function chunkedStream(text: string, chunkSize = 64): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** A replaying fetch. Entries may be functions for custom behaviour. */
export function replayFetch(
  ...responses: (CannedResponse | ((request: SeenRequest) => Response | Promise<Response>))[]
): ReplayFetch {
  const requests: SeenRequest[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const seen: SeenRequest = {
      url: String(input),
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body ?? "{}")),
      signal: init?.signal ?? undefined,
    };
    requests.push(seen);
    init?.signal?.throwIfAborted();
    const next = responses.shift();
    if (next === undefined) throw new Error("replayFetch: no response left for this request");
    if (typeof next === "function") return await next(seen);
    const body = typeof next.body === "string"
      ? chunkedStream(next.body, next.chunkSize ?? 64)
      : next.body;
    return new Response(body, {
      status: next.status ?? 200,
      headers: next.headers ?? { "content-type": "text/event-stream" },
    });
  }) as ReplayFetch;
  Object.defineProperty(fn, "requests", { value: requests });
  return fn;
}

/** A response from a recorded `NAME.N.response.*` pair with its meta file. */
export function recordedResponse(base: string): CannedResponse {
  const meta = fixtureJson<{ status: number; headers: Record<string, string> }>(
    `${base}.response.meta.json`,
  );
  let body: string;
  try {
    body = fixtureText(`${base}.response.sse`);
  } catch {
    body = fixtureText(`${base}.response.json`);
  }
  return { status: meta.status, headers: meta.headers, body };
}
