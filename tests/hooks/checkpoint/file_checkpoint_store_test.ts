import assert from "node:assert/strict";
import { composableLoop, type Hook, ScriptedBackend } from "../../../mod.ts";
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
function journal(dir: string, kind: "step" | "message" | "snapshot") {
  return Deno.readTextFileSync(`${dir}/journal.jsonl`).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((entry) => entry.kind === kind);
}

Deno.test("FileCheckpointStore keeps the newest snapshots and one journal; latest() restores the run", async () => {
  await withDir(async (dir) => {
    const { store, run } = greetRun(dir, ["A", "B", "C"], "Greet everyone", 3);
    const outcome = await run.complete();
    assert.equal(outcome.stopReason, "max_steps");
    // 3 replies + 3 steps + the end = 7 saves, each a snapshot line of journal.jsonl; the
    // steps and the end are also snapshot files, of which the newest 3 are kept
    assert.deepEqual(files(dir), [
      "checkpoint-00000004.json",
      "checkpoint-00000006.json",
      "checkpoint-00000007.json",
      "journal.jsonl",
    ]);
    const snapshot = JSON.parse(Deno.readTextFileSync(`${dir}/checkpoint-00000007.json`));
    assert.equal(snapshot.seq, 7);
    assert.equal(snapshot.format, "looplet-checkpoint");
    assert.equal(snapshot.version, 2);
    assert.equal(snapshot.step_count, 3);
    assert.equal(snapshot.stop_reason, "max_steps");
    assert.deepEqual(snapshot.transcript_refs, [[0, 7]]);
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
    // a snapshot file is its journal line without "kind"
    const { kind: _, ...line7 } = lines[6];
    assert.deepEqual({ ...snapshot, saved_at: "" }, { ...line7, saved_at: "" });
    const steps = journal(dir, "step");
    assert.equal(steps.length, 3);
    assert.equal(steps[1].result.data.greeting, "Hello, B!");
    const messages = journal(dir, "message");
    assert.equal(messages.length, 7, "each message is written once");
    assert.equal(messages[2].tool_name, "greet");
    // one append per save: a reply's messages and snapshot, a step's record, result and snapshot
    assert.deepEqual(
      Deno.readTextFileSync(`${dir}/journal.jsonl`).trim().split("\n").slice(0, 6)
        .map((line) => JSON.parse(line).kind),
      ["message", "message", "snapshot", "step", "message", "snapshot"],
    );
    const state = await new FileCheckpointStore(dir).latest({ task: "Greet everyone" });
    assert.deepEqual(state, outcome.state);
    assert.equal(store.warnings.length, 0);
  });
});

Deno.test("FileCheckpointStore.latest() skips a corrupt newest snapshot with a warning naming it", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    const newest = `${dir}/checkpoint-00000005.json`;
    Deno.writeTextFileSync(newest, '{"format": "looplet-checkpoint", "vers'); // truncated write
    const warnings: string[] = [];
    const store = new FileCheckpointStore(dir, { onWarning: (message) => warnings.push(message) });
    const state = await store.latest();
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.startsWith(`Skipped checkpoint "${newest}": `), warnings[0]);
    assert.ok(warnings[0]!.endsWith("; falling back to the previous checkpoint"));
    assert.deepEqual(store.warnings, warnings);
    // the same snapshot's copy in the journal: nothing is lost
    assert.equal(state?.steps.length, 2);
    assert.equal(state?.stopReason, "max_steps");
    // with that line cut too (a crash while writing it), the snapshot before the end
    const text = Deno.readTextFileSync(`${dir}/journal.jsonl`);
    Deno.writeTextFileSync(
      `${dir}/journal.jsonl`,
      text.slice(0, text.lastIndexOf('{"kind":"snapshot"') + 30),
    );
    const previous = await new FileCheckpointStore(dir).latest();
    assert.equal(previous?.steps.length, 2);
    assert.equal(previous?.stopReason, undefined);
  });
});

Deno.test("FileCheckpointStore.latest() falls back past a snapshot whose steps the journal lost", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    // cut the journal in the middle of the line of step 2
    const text = Deno.readTextFileSync(`${dir}/journal.jsonl`);
    const second = text.indexOf('{"kind":"step","number":2');
    assert.ok(second > 0);
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, text.slice(0, second + 40));
    const store = new FileCheckpointStore(dir);
    const state = await store.latest();
    assert.equal(state?.steps.length, 1);
    assert.match(store.warnings[0]!, /Ignored a truncated last line in ".*journal\.jsonl"/);
    assert.match(
      store.warnings[1]!,
      /Skipped checkpoint ".*checkpoint-00000005\.json": .*'step_count' is 2 but 1 steps were found/,
    );
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
        error instanceof CheckpointError && error.file.endsWith(".json") &&
        /Cannot resume from ".*": it is a checkpoint of another task \("Greet Ann"\), not "Delete all rows"/
          .test(error.message),
    );
    const other = greetRun(dir, ["B"], "Delete all rows");
    await assert.rejects(
      other.run.complete(),
      /Cannot save checkpoint in ".*": ".*" is a checkpoint of another task \("Greet Ann"\)/,
    );
    await new FileCheckpointStore(dir).clear();
    assert.deepEqual(files(dir), []);
  });
});

Deno.test("FileCheckpointStore resumes and repairs the journal: a crash after a journal append loses nothing", async () => {
  await withDir(async (dir) => {
    await greetRun(dir, ["A", "B"], "Greet everyone", 2).run.complete();
    // pretend the process died after appending step 3 but before its snapshot
    const extra = JSON.stringify({ ...journal(dir, "step")[1], number: 3 });
    Deno.writeTextFileSync(`${dir}/journal.jsonl`, `${extra}\n{"trunc`, { append: true });
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
    assert.match(store.warnings.at(-1)!, /Dropped 1 step\(s\) from ".*journal\.jsonl"/);
    const steps = journal(dir, "step");
    assert.deepEqual(steps.map((step) => step.number), [1, 2, 3, 4]);
    assert.equal(steps[2].result.data.greeting, "Hello, C!");
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
  assert.deepEqual(saved, [2, 4, 5]);
});

Deno.test("checkpointHook({ replies }) saves after model replies by default, and not when told", async () => {
  const run = async (options: { every?: number; replies?: boolean }) => {
    const saved: string[] = [];
    const sink = {
      saveSync: (state: { steps: unknown[] }, save?: { reply?: boolean }): void => {
        saved.push(`${save?.reply ? "reply" : "step"} ${state.steps.length}`);
      },
      save: () => Promise.reject(new Error("saveSync is preferred, also for the last save")),
    };
    await composableLoop({
      llm: new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]),
      tools: [greet],
      task: "x",
      hooks: [checkpointHook(sink as never, options)],
    }).complete();
    return saved;
  };
  assert.deepEqual(await run({}), ["reply 0", "step 1", "reply 1", "step 2", "step 2"]);
  assert.deepEqual(await run({ replies: false }), ["step 1", "step 2", "step 2"]);
  assert.deepEqual(await run({ every: 2, replies: true }), [
    "reply 0",
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
    assert.throws(
      () => new FileCheckpointStore(dir, { fileEvery: 0 }),
      /'fileEvery' must be a positive integer, got 0/,
    );
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
      llm: new ScriptedBackend(["A", "B", "C"].map((name) => call("greet", { name }))),
      tools: [greet],
      task: "Greet everyone",
      maxSteps: 3,
      keepSteps: 1,
      hooks: [checkpointHook(new FileCheckpointStore(dir), { every: 2 })],
    });
    await assert.rejects(
      run.complete(),
      (error: Error) =>
        error.cause instanceof CheckpointError &&
        /: step 1 left memory \(keepSteps\) before it was saved/.test(error.cause.message),
    );
  });
});

Deno.test("FileCheckpointStore skips a version 1 snapshot and stops reading the journal at a line that is not an entry", async () => {
  await withDir(async (dir) => {
    const { run } = greetRun(dir, ["A", "B"], "Greet everyone", 2);
    await run.complete();
    const newest = `${dir}/checkpoint-00000005.json`;
    const document = JSON.parse(Deno.readTextFileSync(newest));
    Deno.writeTextFileSync(newest, JSON.stringify({ ...document, version: 1 }));
    let store = new FileCheckpointStore(dir);
    let state = await store.latest();
    assert.match(
      store.warnings[0]!,
      /Skipped checkpoint ".*checkpoint-00000005\.json": it has version 1; this store reads version 2/,
    );
    // the same snapshot's copy in the journal
    assert.equal(state?.steps.length, 2);
    assert.equal(state?.stopReason, "max_steps");
    // a line that is not an entry: what follows cannot be numbered
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

/** Names for a run long enough that the snapshot files move to the writer thread. */
const MANY = Array.from({ length: 40 }, (_, index) => `P${index}`);

/** Let timers and imports run between steps, as a real run's model calls do. */
const yieldEachStep: Hook = {
  name: "yield",
  onEvent: () => new Promise((resolve) => setTimeout(resolve, 1)),
};

for (const durable of [false, true]) {
  Deno.test(`FileCheckpointStore writes snapshot files on a writer thread in a long run (durable: ${durable})`, async () => {
    await withDir(async (dir) => {
      const store = new FileCheckpointStore(dir, { durable, keep: 4 });
      const outcome = await greetRun(dir, MANY, "Greet everyone", 50, store, [yieldEachStep])
        .run.complete();
      assert.equal(outcome.stopReason, "done");
      // 41 replies and 41 steps, then the end: seq 83 is the last; close() waited for its file
      assert.deepEqual(files(dir), [
        "checkpoint-00000078.json",
        "checkpoint-00000080.json",
        "checkpoint-00000082.json",
        "checkpoint-00000083.json",
        "journal.jsonl",
      ]);
      const lines = new Map(
        journal(dir, "snapshot").map(({ kind: _, ...line }) => [line.seq, line]),
      );
      for (const name of files(dir).filter((name) => name.startsWith("checkpoint-"))) {
        const document = JSON.parse(Deno.readTextFileSync(`${dir}/${name}`));
        assert.deepEqual(document, lines.get(document.seq), `${name} equals its journal line`);
      }
      assert.deepEqual(await new FileCheckpointStore(dir).latest(), outcome.state);
      assert.deepEqual(store.warnings, []);
    });
  });
}

Deno.test("FileCheckpointStore fails the run when a snapshot file cannot be written, naming it", async () => {
  await withDir(async (dir) => {
    // a folder where the snapshot after step 20 (seq 40) must go: the rename fails
    Deno.mkdirSync(`${dir}/checkpoint-00000040.json/blocked`, { recursive: true });
    const { run } = greetRun(dir, MANY, "Greet everyone", 50, undefined, [yieldEachStep]);
    await assert.rejects(run.complete(), (error: unknown) => {
      const text = `${error} ${(error as { cause?: unknown }).cause}`;
      assert.match(text, /checkpoint-00000040\.json/);
      return true;
    });
    // the journal still holds every snapshot up to the failure: a resume loses nothing saved
    const state = await new FileCheckpointStore(dir).latest({ task: "Greet everyone" });
    assert.ok((state?.steps.length ?? 0) >= 20);
  });
});
