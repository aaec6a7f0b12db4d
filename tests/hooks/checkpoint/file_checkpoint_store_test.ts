import assert from "node:assert/strict";
import { composableLoop, type Hook, HookError, ScriptedBackend } from "../../../mod.ts";
import { CheckpointError } from "../../../hooks/mod.ts";
import { checkpointHook, FileCheckpointStore } from "../../../hooks/mod.ts";
import { greet } from "../../loop/_tools.ts";

const call = ScriptedBackend.call;

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "looplet-ckpt-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function greetRun(
  dir: string,
  names: string[],
  task = "Greet everyone",
  maxSteps = 20,
  store = new FileCheckpointStore(dir),
  moreHooks: Hook[] = [],
) {
  const run = composableLoop({
    llm: new ScriptedBackend([
      ...names.map((name) => call("greet", { name })),
      call("done", { answer: "all greeted" }),
    ]),
    tools: [greet],
    task,
    maxSteps,
    hooks: [checkpointHook(store), ...moreHooks],
  });
  return { store, run };
}

function files(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/** The lines of `journal.jsonl` of one kind, parsed. */
function journal(dir: string, kind: "step" | "message" | "snapshot" | "effect_start") {
  return Deno.readTextFileSync(`${dir}/journal.jsonl`).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((entry) => entry.kind === kind);
}

Deno.test("FileCheckpointStore appends what changed to one journal; latest() restores the run", async () => {
  await withDir(async (dir) => {
    const { store, run } = greetRun(dir, ["A", "B", "C"], "Greet everyone", 3);
    const outcome = await run.complete();
    assert.equal(outcome.stopReason, "max_steps");
    // 3 replies + 3 steps + the end = 7 saves, each a snapshot line; the end is also a file
    assert.deepEqual(files(dir), ["checkpoint-00000007.json", "journal.jsonl"]);
    const snapshot = JSON.parse(Deno.readTextFileSync(`${dir}/checkpoint-00000007.json`));
    assert.equal(snapshot.seq, 7);
    assert.equal(snapshot.format, "looplet-checkpoint");
    assert.equal(snapshot.version, 3);
    assert.equal(snapshot.run_id, outcome.state.runId);
    assert.equal(snapshot.step_count, 3);
    assert.equal(snapshot.stop_reason, "max_steps");
    assert.equal(snapshot.transcript.length, 7, "a snapshot file is self-contained");
    assert.equal(snapshot.steps.length, 3);
    const lines = journal(dir, "snapshot");
    assert.deepEqual(lines.map((line) => [line.seq, line.step_count, line.queue.length]), [
      [1, 0, 1],
      [2, 1, 0],
      [3, 1, 1],
      [4, 2, 0],
      [5, 2, 1],
      [6, 3, 0],
      [7, 3, 0],
    ]);
    assert.deepEqual(lines[6].transcript_refs, [[0, 7]]);
    assert.equal(lines[6].transcript, undefined);
    const steps = journal(dir, "step");
    assert.equal(steps.length, 3);
    assert.equal(steps[1].result.data.greeting, "Hello, B!");
    const messages = journal(dir, "message");
    assert.equal(messages.length, 7, "each message is written once");
    assert.equal(messages[2].tool_name, "greet");
    const effects = journal(dir, "effect_start");
    assert.deepEqual(effects.map((effect) => [effect.tool, effect.step]), [
      ["greet", 1],
      ["greet", 2],
      ["greet", 3],
    ]);
    assert.equal(effects[0].idempotency_key, `${outcome.state.runId}:${steps[0].call.id}`);
    // a reply's messages and snapshot; the call's start; the step, its result and a snapshot
    assert.deepEqual(
      Deno.readTextFileSync(`${dir}/journal.jsonl`).trim().split("\n").slice(0, 7)
        .map((line) => JSON.parse(line).kind),
      ["message", "message", "snapshot", "effect_start", "step", "message", "snapshot"],
    );
    const state = await new FileCheckpointStore(dir).latest({ task: "Greet everyone" });
    assert.deepEqual(state, outcome.state);
    assert.equal(store.warnings.length, 0);
  });
});

Deno.test("FileCheckpointStore.latest() skips a corrupt newest snapshot file with a warning naming it", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    const newest = `${dir}/checkpoint-00000005.json`;
    Deno.writeTextFileSync(newest, '{"format": "looplet-checkpoint", "vers'); // truncated write
    const warnings: string[] = [];
    const store = new FileCheckpointStore(dir, { onWarning: (message) => warnings.push(message) });
    const state = await store.latest();
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.startsWith(`Skipped checkpoint "${newest}": `), warnings[0]!);
    assert.ok(warnings[0]!.endsWith("; falling back to the previous checkpoint"));
    assert.deepEqual(store.warnings, warnings);
    // the same snapshot's line in the journal: nothing is lost
    assert.equal(state?.steps.length, 2);
    assert.equal(state?.stopReason, "max_steps");
  });
});

Deno.test("FileCheckpointStore.latest() uses the snapshot file when the journal lost steps, and the journal line before them without it", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    const outcome = await run.complete();
    // cut the journal in the middle of the line of step 2
    const text = Deno.readTextFileSync(`${dir}/journal.jsonl`);
    const second = text.indexOf('{"kind":"step","number":2');
    assert.ok(second > 0);
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, text.slice(0, second + 40));
    let store = new FileCheckpointStore(dir);
    assert.deepEqual(await store.latest(), outcome.state, "the self-contained end snapshot");
    assert.match(store.warnings[0]!, /Ignored a truncated last line in ".*journal\.jsonl"/);
    Deno.removeSync(`${dir}/checkpoint-00000005.json`);
    store = new FileCheckpointStore(dir);
    const state = await store.latest();
    assert.equal(state?.steps.length, 1);
    assert.deepEqual(state?.queue.map((call) => call.args), [{ name: "B" }]);
    assert.deepEqual(state?.inFlight?.map((effect) => effect.step), [2], "B started");
  });
});

Deno.test("FileCheckpointStore.latest() ignores a reply line cut by a crash, with a warning", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    for (const name of files(dir)) {
      if (name.startsWith("checkpoint-")) Deno.removeSync(`${dir}/${name}`);
    }
    // cut the journal in the middle of the second reply's snapshot line
    const text = Deno.readTextFileSync(`${dir}/journal.jsonl`);
    const second = text.indexOf('{"kind":"snapshot","seq":3');
    assert.ok(second > 0);
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, text.slice(0, second + 40));
    const store = new FileCheckpointStore(dir);
    const state = await store.latest();
    // the snapshot line before it: step 1 recorded, the second reply not yet
    assert.equal(state?.steps.length, 1);
    assert.deepEqual(state?.queue, []);
    assert.equal(state?.inFlight, undefined);
    assert.match(store.warnings[0]!, /Ignored a truncated last line in ".*journal\.jsonl"/);
  });
});

Deno.test("FileCheckpointStore.latest() returns undefined for an empty or missing directory, with a warning when all are corrupt", async () => {
  await withDir(async (dir) => {
    assert.equal(await new FileCheckpointStore(`${dir}/missing`).latest(), undefined);
    Deno.writeTextFileSync(`${dir}/checkpoint-00000001.json`, "{}");
    const store = new FileCheckpointStore(dir);
    assert.equal(await store.latest(), undefined);
    assert.equal(store.warnings.length, 2);
    assert.match(store.warnings[1]!, /No readable checkpoint in ".*"; starting from the beginning/);
  });
});

Deno.test("FileCheckpointStore refuses a checkpoint of another task, on resume and on save", async () => {
  await withDir(async (dir) => {
    await greetRun(dir, ["A"], "Greet Ann", 1).run.complete();
    await assert.rejects(
      new FileCheckpointStore(dir).latest({ task: "Delete all rows" }),
      (error: unknown) =>
        error instanceof CheckpointError && error.file.endsWith("journal.jsonl") &&
        /^Cannot resume from ".*journal\.jsonl" line \d+: it is a checkpoint of another task \("Greet Ann"\), not "Delete all rows"/
          .test(error.message) &&
        !error.message.includes("\n"),
    );
    const other = greetRun(dir, ["B"], "Delete all rows");
    await assert.rejects(
      other.run.complete(),
      /Cannot save checkpoint in ".*": ".*" line \d+ is a checkpoint of another task \("Greet Ann"\)/,
    );
    await new FileCheckpointStore(dir).clear();
    assert.deepEqual(files(dir), []);
  });
});

Deno.test("FileCheckpointStore moves a journal the resumed state does not match aside, and never overwrites it", async () => {
  await withDir(async (dir) => {
    await greetRun(dir, ["A", "B"], "Greet everyone", 2).run.complete();
    Deno.removeSync(`${dir}/checkpoint-00000005.json`);
    // pretend the process died after appending step 3 but before its snapshot
    const extra = JSON.stringify({ ...journal(dir, "step")[1], number: 3 });
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, `${extra}\n{"trunc`, { append: true });
    const before = Deno.readTextFileSync(`${dir}/journal.jsonl`);
    const store = new FileCheckpointStore(dir);
    const resume = await store.latest({ task: "Greet everyone" });
    assert.equal(resume?.steps.length, 2);
    const outcome = await composableLoop({
      llm: new ScriptedBackend([call("greet", { name: "C" }), call("done", { answer: "ok" })]),
      tools: [greet],
      task: "Greet everyone",
      maxSteps: 10,
      resume,
      hooks: [checkpointHook(store)],
    }).complete();
    assert.equal(outcome.steps, 4);
    assert.match(
      store.warnings.at(-1)!,
      /^Moved ".*journal\.jsonl" to ".*journal\.jsonl\.\d+\.bak" and kept its first \d+ line\(s\)/,
    );
    const aside = files(dir).find((name) => name.endsWith(".bak"))!;
    assert.equal(Deno.readTextFileSync(`${dir}/${aside}`), before, "the old journal is kept whole");
    const steps = journal(dir, "step");
    assert.deepEqual(steps.map((step) => step.number), [1, 2, 3, 4]);
    assert.equal(steps[2].result.data.greeting, "Hello, C!");
    assert.deepEqual(await new FileCheckpointStore(dir).latest(), outcome.state);
  });
});

Deno.test("FileCheckpointStore resumes from the last good state before garbage bytes, and sets the damaged journal aside", async () => {
  await withDir(async (dir) => {
    const first = greetRun(dir, ["A", "B", "C"], "Greet everyone", 3);
    await first.run.complete();
    Deno.removeSync(`${dir}/checkpoint-00000007.json`);
    const lines = Deno.readTextFileSync(`${dir}/journal.jsonl`).split("\n");
    const step2 = lines.findIndex((line) => line.startsWith('{"kind":"step","number":2'));
    lines.splice(step2, 0, "\u0000\u00ff garbage \u0007");
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, lines.join("\n"));
    const damaged = Deno.readFileSync(`${dir}/journal.jsonl`);
    const store = new FileCheckpointStore(dir);
    const resume = await store.latest({ task: "Greet everyone" });
    assert.match(
      store.warnings[0]!,
      /Stopped reading ".*journal\.jsonl" at line \d+: it is not a journal entry/,
    );
    assert.equal(resume?.steps.length, 1);
    assert.deepEqual(resume?.inFlight?.map((effect) => effect.step), [2]);
    await composableLoop({
      llm: new ScriptedBackend([call("done", { answer: "ok" })]),
      tools: [greet],
      task: "Greet everyone",
      resume,
      hooks: [checkpointHook(store)],
    }).complete();
    const aside = files(dir).find((name) => name.endsWith(".bak"))!;
    assert.deepEqual(Deno.readFileSync(`${dir}/${aside}`), damaged, "nothing is overwritten");
    const state = await new FileCheckpointStore(dir).latest();
    assert.equal(state?.stopReason, "done");
    assert.equal(state?.steps[1]?.result.errorKind, "interrupted");
  });
});

Deno.test("FileCheckpointStore resumes from the snapshot file when the journal is deleted", async () => {
  await withDir(async (dir) => {
    const outcome = await greetRun(dir, ["A", "B"], "Greet everyone", 2).run.complete();
    Deno.removeSync(`${dir}/journal.jsonl`);
    assert.deepEqual(await new FileCheckpointStore(dir).latest(), outcome.state);
  });
});

Deno.test("FileCheckpointStore redacts what it writes", async () => {
  await withDir(async (dir) => {
    const store = new FileCheckpointStore(dir, {
      redact: (text) => text.replaceAll("Ann", "[NAME]"),
    });
    await composableLoop({
      llm: new ScriptedBackend([
        call("greet", { name: "Ann" }),
        call("done", { answer: "Ann done" }),
      ]),
      tools: [greet],
      task: "Greet Ann",
      hooks: [checkpointHook(store)],
    }).complete();
    for (const name of files(dir)) {
      assert.ok(!Deno.readTextFileSync(`${dir}/${name}`).includes("Ann"), name);
    }
    const state = await store.latest({ task: "Greet Ann" });
    assert.equal(state?.finalAnswer, "[NAME] done");
  });
});

Deno.test("FileCheckpointStore and checkpointHook reject bad options", () => {
  assert.throws(() => new FileCheckpointStore(""), /'directory' must be a non-empty path/);
  assert.throws(
    () => new FileCheckpointStore("x", { keep: 1 }),
    /'keep' must be an integer of at least 2, got 1/,
  );
  assert.throws(
    () => new FileCheckpointStore("x", { fileEvery: 0 }),
    /'fileEvery' must be a positive integer, got 0/,
  );
  assert.throws(() => checkpointHook({} as never), /'store' must have a save\(state\) method/);
  assert.throws(
    () => checkpointHook(new FileCheckpointStore("x"), { every: 0 }),
    /'every' must be a positive integer, got 0/,
  );
  assert.throws(
    () => checkpointHook(new FileCheckpointStore("x"), { replies: "yes" as never }),
    /'replies' must be true or false, got "yes"/,
  );
});

Deno.test("checkpointHook({ every }) saves every N-th step, a pause and the end", async () => {
  const saved: number[] = [];
  const sink = {
    save: (state: { steps: unknown[] }) => Promise.resolve(void saved.push(state.steps.length)),
    recordEffect: () => Promise.resolve(),
  };
  await composableLoop({
    llm: new ScriptedBackend([
      ...["A", "B", "C", "D"].map((name) => call("greet", { name })),
      call("done", { answer: "x" }),
    ]),
    tools: [greet],
    task: "x",
    hooks: [checkpointHook(sink as never, { every: 2 })],
  }).complete();
  // every second step and the end; and before the first call of each turn, whose reply
  // was not saved (replies is off with every: 2), the whole state, so the call is queued in it
  assert.deepEqual(saved, [0, 1, 2, 2, 3, 4, 5]);
});

Deno.test("checkpointHook({ replies }) saves after model replies by default, and not when told; effects too", async () => {
  const run = async (options: { every?: number; replies?: boolean }, effects = true) => {
    const saved: string[] = [];
    const sink = {
      save: (state: { steps: unknown[] }, save?: { reply?: boolean }) =>
        Promise.resolve(void saved.push(`${save?.reply ? "reply" : "step"} ${state.steps.length}`)),
      ...(effects
        ? {
          recordEffect: (effect: { tool: string }) =>
            Promise.resolve(void saved.push(`start ${effect.tool}`)),
        }
        : {}),
    };
    await composableLoop({
      llm: new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]),
      tools: [greet],
      task: "x",
      hooks: [checkpointHook(sink as never, options)],
    }).complete();
    return saved;
  };
  assert.deepEqual(await run({}), [
    "reply 0",
    "start greet",
    "step 1",
    "reply 1",
    "step 2",
    "step 2",
  ]);
  // without the reply save, the call's start is a whole save (it holds the queued call)
  assert.deepEqual(await run({ replies: false }), ["reply 0", "step 1", "step 2", "step 2"]);
  assert.deepEqual(await run({ every: 2, replies: true }), [
    "reply 0",
    "start greet",
    "reply 1",
    "step 2",
    "step 2",
  ]);
  // a sink without recordEffect saves the whole state before the call instead
  assert.deepEqual(await run({ replies: true }, false), [
    "reply 0",
    "reply 0",
    "step 1",
    "reply 1",
    "step 2",
    "step 2",
  ]);
});

Deno.test("FileCheckpointStore({ fileEvery }) writes every N-th step snapshot as a file, the rest as lines", async () => {
  await withDir(async (dir) => {
    const store = new FileCheckpointStore(dir, { fileEvery: 2, keep: 10 });
    const outcome = await composableLoop({
      llm: new ScriptedBackend([
        ...["A", "B", "C"].map((name) => call("greet", { name })),
        call("done", { answer: "x" }),
      ]),
      tools: [greet],
      task: "x",
      hooks: [checkpointHook(store)],
    }).complete();
    // saves, each a journal line: reply 1, step 1, reply 3, step 2 (and a file), reply 5,
    // step 3, reply 7, step 4 (and a file), end (always a file too)
    assert.deepEqual(files(dir).filter((name) => name.startsWith("checkpoint-")), [
      "checkpoint-00000004.json",
      "checkpoint-00000008.json",
      "checkpoint-00000009.json",
    ]);
    assert.deepEqual(journal(dir, "snapshot").map((line) => line.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(await new FileCheckpointStore(dir).latest(), outcome.state);
  });
});

Deno.test("FileCheckpointStore keeps the newest `keep` snapshot files", async () => {
  await withDir(async (dir) => {
    const store = new FileCheckpointStore(dir, { fileEvery: 1, keep: 2, durable: true });
    const outcome = await greetRun(dir, ["A", "B", "C"], "x", 10, store).run.complete();
    assert.deepEqual(files(dir), [
      "checkpoint-00000008.json",
      "checkpoint-00000009.json",
      "journal.jsonl",
    ]);
    assert.deepEqual(await new FileCheckpointStore(dir).latest(), outcome.state);
  });
});

Deno.test("FileCheckpointStore journals every step of a run with keepSteps; resume carries on", async () => {
  await withDir(async (dir) => {
    const names = ["A", "B", "C", "D", "E"];
    const first = await composableLoop({
      llm: new ScriptedBackend(names.slice(0, 3).map((name) => call("greet", { name }))),
      tools: [greet],
      task: "Greet everyone",
      maxSteps: 3,
      keepSteps: 1,
      hooks: [checkpointHook(new FileCheckpointStore(dir))],
    }).complete();
    assert.equal(first.state.stepsDropped, 2);
    const saved = await new FileCheckpointStore(dir).latest({ task: "Greet everyone" });
    assert.deepEqual(saved?.steps.map((step) => step.call.args), [
      { name: "A" },
      { name: "B" },
      { name: "C" },
    ]);
    const store = new FileCheckpointStore(dir);
    const second = await composableLoop({
      llm: new ScriptedBackend([
        ...names.slice(3).map((name) => call("greet", { name })),
        call("done", { answer: "all greeted" }),
      ]),
      tools: [greet],
      task: "Greet everyone",
      keepSteps: 2,
      resume: saved,
      hooks: [checkpointHook(store)],
    }).complete();
    assert.equal(second.stopReason, "done");
    assert.equal(second.steps, 6);
    assert.deepEqual(second.state.steps.map((step) => step.number), [5, 6]);
    assert.deepEqual(journal(dir, "step").map((step) => step.number), [1, 2, 3, 4, 5, 6]);
    assert.equal(store.warnings.length, 0);
  });
});

Deno.test("FileCheckpointStore refuses to save when steps left memory before they were saved", async () => {
  await withDir(async (dir) => {
    const run = composableLoop({
      llm: new ScriptedBackend([{
        text: "",
        toolCalls: ["A", "B", "C"].map((name, i) => ({
          id: `g${i}`,
          name: "greet",
          args: { name },
        })),
      }]),
      tools: [greet],
      task: "Greet everyone",
      maxSteps: 3,
      keepSteps: 1,
      hooks: [checkpointHook(new FileCheckpointStore(dir), { every: 3 })],
    });
    await assert.rejects(
      run.complete(),
      (error: Error) =>
        error.cause instanceof CheckpointError &&
        /: step 1 left memory \(keepSteps\) before it was saved/.test(error.cause.message),
    );
  });
});

Deno.test("FileCheckpointStore skips a snapshot of a newer version and stops reading the journal at a line that is not an entry", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    const newest = `${dir}/checkpoint-00000005.json`;
    const document = JSON.parse(Deno.readTextFileSync(newest));
    Deno.writeTextFileSync(newest, JSON.stringify({ ...document, seq: 6, version: 9 }));
    let store = new FileCheckpointStore(dir);
    let state = await store.latest();
    assert.match(
      store.warnings[0]!,
      /^Skipped checkpoint ".*checkpoint-00000005\.json": Cannot read checkpoint ".*": it has version 9; this looplet reads versions 1 to 3 \(a newer looplet wrote it: upgrade, or start a new run\); falling back/,
    );
    assert.equal(state?.steps.length, 2);
    assert.equal(state?.stopReason, "max_steps");
    // a line that is not an entry: what follows cannot be numbered
    Deno.removeSync(newest);
    const lines = Deno.readTextFileSync(`${dir}/journal.jsonl`).split("\n");
    const step2 = lines.findIndex((line) => line.startsWith('{"kind":"step","number":2'));
    lines.splice(step2, 0, '{"note":"not an entry"}');
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, lines.join("\n"));
    store = new FileCheckpointStore(dir);
    state = await store.latest();
    assert.match(
      store.warnings[0]!,
      /Stopped reading ".*journal\.jsonl" at line \d+: it is not a journal entry/,
    );
    assert.equal(state?.steps.length, 1);
  });
});

Deno.test("FileCheckpointStore fails the run when a snapshot file cannot be written, naming it", async () => {
  await withDir(async (dir) => {
    // a folder where the end snapshot (seq 5) must go: the rename fails
    Deno.mkdirSync(`${dir}/checkpoint-00000005.json/blocked`, { recursive: true });
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await assert.rejects(run.complete(), (error: unknown) => {
      assert.ok(error instanceof HookError);
      assert.ok(error.cause instanceof CheckpointError);
      assert.match(
        error.cause.message,
        /^Cannot save checkpoint in ".*": .*checkpoint-00000005\.json/,
      );
      return true;
    });
    // the journal holds every snapshot up to the failure: a resume loses nothing saved
    const state = await new FileCheckpointStore(dir).latest({ task: "Greet everyone" });
    assert.equal(state?.steps.length, 2);
  });
});
