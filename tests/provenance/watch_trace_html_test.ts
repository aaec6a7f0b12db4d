import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { composableLoop } from "../../mod.ts";
import { ProvenanceSink, type TraceHtmlUpdate, watchTraceHtml } from "../../provenance/mod.ts";
import { greet, HELLO_SCRIPT, tempDir } from "./_helpers.ts";
import { ScriptedBackend } from "../../mod.ts";

Deno.test("watchTraceHtml() rewrites the page while a live run writes, and ends with the run", async () => {
  const dir = await tempDir();
  const sink = new ProvenanceSink(dir, { live: true });
  const run = composableLoop({
    llm: sink.wrap(new ScriptedBackend(HELLO_SCRIPT)),
    tools: [greet],
    task: "Greet Alice and Bob, then finish.",
    hooks: [sink.hook()],
  });
  const steps = run[Symbol.asyncIterator]();
  assert.equal((await steps.next()).done, false); // the run is paused after its first step
  const updates = watchTraceHtml(dir, { signal: AbortSignal.timeout(20_000), refreshSeconds: 3 });
  const first = await updates.next();
  assert.equal(first.done, false);
  const live: TraceHtmlUpdate = first.value!;
  assert.equal(live.complete, false);
  assert.equal(live.path, join(dir, "trace.html"));
  assert.match(await readFile(live.path, "utf8"), /<meta http-equiv="refresh" content="3">/);
  while (!(await steps.next()).done) { /* let the run finish */ }
  await sink.flush();
  let last = live;
  for await (const update of updates) last = update;
  assert.equal(last.complete, true, "the watch ends once the trace is complete");
  assert.equal(last.steps, 3);
  const html = await readFile(last.path, "utf8");
  assert.doesNotMatch(html, /http-equiv="refresh"/, "a finished run's page stops reloading");
  assert.equal(html.match(/<details class="step/g)?.length, 3);
});

Deno.test("watchTraceHtml() fails at once for a directory that is not there", async () => {
  await assert.rejects(
    watchTraceHtml("/definitely/not/a/trace").next(),
    /the directory does not exist/,
  );
});
