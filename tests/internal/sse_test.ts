import assert from "node:assert/strict";
import { readSse, type SseEvent, SseParser } from "../../internal/sse.ts";
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
