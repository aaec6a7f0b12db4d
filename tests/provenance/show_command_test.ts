import assert from "node:assert/strict";
import { join } from "node:path";
import { showCommand } from "../../provenance/mod.ts";
import { captureIo, record, tempDir } from "./_helpers.ts";

Deno.test("showCommand() prints the summary and exits 0", async () => {
  const dir = await tempDir();
  await record(dir);
  const { out, err, io: sinks } = captureIo();
  assert.equal(await showCommand(dir, {}, sinks), 0);
  assert.match(out.join("\n"), /✓ done {2}3 steps {2}3 LLM calls/);
  assert.deepEqual(err, []);
});

Deno.test("showCommand() --html writes a self-contained HTML file", async () => {
  const dir = await tempDir();
  await record(dir);
  const target = join(await tempDir(), "view.html");
  const { out, io: sinks } = captureIo();
  assert.equal(await showCommand(dir, { html: true, out: target }, sinks), 0);
  assert.deepEqual(out, [`wrote ${target}`]);
  const html = await Deno.readTextFile(target);
  assert.match(html, /^<!doctype html>/);
  assert.ok(!/(src|href)="https?:/.test(html), "the page must not load anything from the network");
  assert.equal(await showCommand(dir, { html: true }, sinks), 0);
  assert.ok((await Deno.stat(join(dir, "trace.html"))).isFile);
});

Deno.test("showCommand() exits 1 with the reason for a missing trace", async () => {
  const { out, err, io: sinks } = captureIo();
  assert.equal(await showCommand("/no/such/trace", {}, sinks), 1);
  assert.deepEqual(out, []);
  assert.match(
    err[0]!,
    /^error: Cannot read trace "\/no\/such\/trace": the directory does not exist/,
  );
});

Deno.test("showCommand() json prints the trace as one JSON object without raw records", async () => {
  const dir = await tempDir();
  await record(dir);
  const { out, io: sinks } = captureIo();
  assert.equal(await showCommand(dir, { json: true }, sinks), 0);
  const trace = JSON.parse(out.join("\n"));
  assert.equal(trace.stopReason, "done");
  assert.equal(trace.steps.length, 3);
  assert.equal(trace.steps[0].raw, undefined);
});
