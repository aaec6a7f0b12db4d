import assert from "node:assert/strict";
import { readSse, type SseEvent, sseEvents, SseLimitError, SseParser } from "../../internal/sse.ts";
import { chunkedStream } from "../backends/_replay_fetch.ts";

function parse(pieces: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const piece of pieces) parser.push(piece);
  parser.end();
  return events;
}

Deno.test("SseParser reads event names, multi-line data and ignores comments, ids and junk lines", () => {
  const events = parse([
    ": comment\nevent: ping\ndata: {}\n\nid: 3\nretry: 10\ndata: line one\ndata:line two\nnot a field\n\n",
  ]);
  assert.deepEqual(events, [
    { event: "ping", data: "{}" },
    { event: "message", data: "line one\nline two" },
  ]);
});

Deno.test("SseParser handles CRLF, lone CR, and a CRLF split across chunks", () => {
  assert.deepEqual(parse(["data: a\r\n\r\ndata: b\r\r", "data: c\r", "\n\r\n"]), [
    { event: "message", data: "a" },
    { event: "message", data: "b" },
    { event: "message", data: "c" },
  ]);
});

Deno.test("SseParser reassembles fields split at any byte", () => {
  const text = 'event: message_start\ndata: {"x": 1}\n\ndata: [DONE]\n\n';
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(parse([text.slice(0, cut), text.slice(cut)]), [
      { event: "message_start", data: '{"x": 1}' },
      { event: "message", data: "[DONE]" },
    ], `cut at ${cut}`);
  }
});

Deno.test("SseParser delivers a last event without its blank line, marked unterminated", () => {
  assert.deepEqual(parse(['data: {"a":1}\n\ndata: {"b"']), [
    { event: "message", data: '{"a":1}' },
    { event: "message", data: '{"b"', unterminated: true },
  ]);
});

Deno.test("readSse() decodes UTF-8 split across network chunks", async () => {
  const events: SseEvent[] = [];
  await readSse(chunkedStream("data: 925 ÷ 5 = 185 — ok ✓\n\n", 3), (e) => events.push(e));
  assert.deepEqual(events, [{ event: "message", data: "925 ÷ 5 = 185 — ok ✓" }]);
});

Deno.test("readSse() cancels the body when the handler throws", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("data: 1\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  await assert.rejects(
    readSse(body, () => {
      throw new Error("bad event");
    }),
    /bad event/,
  );
  assert.equal(cancelled, true);
});

Deno.test("SseParser drops a lone CR at the very end of the stream from the data", () => {
  assert.deepEqual(parse(["data: last\r"]), [
    { event: "message", data: "last", unterminated: true },
  ]);
  assert.deepEqual(parse(["data: a\r", "\r"]), [{ event: "message", data: "a" }]);
});

Deno.test("SseParser reads a long line sent in many small pieces", () => {
  const line = "x".repeat(100_000);
  const pieces = ["data: "];
  for (let i = 0; i < line.length; i += 7) pieces.push(line.slice(i, i + 7));
  pieces.push("\n\n");
  assert.deepEqual(parse(pieces), [{ event: "message", data: line }]);
});

Deno.test("SseParser refuses an event longer than maxEventLength, in one line or in many", () => {
  const parser = new SseParser(() => {}, { maxEventLength: 100 });
  assert.throws(() => parser.push("data: " + "x".repeat(200)), SseLimitError);
  const lines = new SseParser(() => {}, { maxEventLength: 100 });
  assert.throws(
    () => lines.push("data: 0123456789\n".repeat(20)),
    /an event is longer than 100 characters \(maxEventLength\)/,
  );
  const fine = new SseParser(() => {}, { maxEventLength: 100 });
  for (let i = 0; i < 50; i++) fine.push("data: 0123456789\n\n");
});

Deno.test("sseEvents() yields events one at a time and cancels the body when left early", async () => {
  let cancelled = false;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("data: 1\n\ndata: 2\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  const seen: string[] = [];
  for await (const event of sseEvents(body)) {
    seen.push(event.data);
    if (event.data === "2") break;
  }
  assert.deepEqual(seen, ["1", "2"]);
  assert.equal(cancelled, true);
});
