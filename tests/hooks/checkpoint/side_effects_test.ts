// Side effects told truthfully: cancellation while a tool runs, and resume of
// a call that started and never recorded a result (in process; the SIGKILL
// version is tests/e2e/hooks/checkpoint/).
import assert from "node:assert/strict";
import { z } from "zod";
import {
  composableLoop,
  type ModelRequest,
  ScriptedBackend,
  tool,
  type ToolDefinition,
} from "../../../mod.ts";
import { checkpointHook, FileCheckpointStore } from "../../../hooks/mod.ts";

const call = ScriptedBackend.call;
const TASK = "Charge the customer";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "looplet-effects-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function effects(file: string): string[] {
  try {
    return Deno.readTextFileSync(file).trim().split("\n").filter((line) => line !== "");
  } catch {
    return [];
  }
}

const CHARGE_INPUT = z.object({ cents: z.number() });

/** The charge tool, doing what the test needs. */
function chargeTool(
  behaviour: Omit<
    ToolDefinition<z.infer<typeof CHARGE_INPUT>, unknown>,
    "name" | "description" | "input"
  >,
) {
  return tool({ name: "charge", description: "Charge a card.", input: CHARGE_INPUT, ...behaviour });
}

/** A promise and its resolve function. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** The tool messages a model was shown, by call id. */
function toolMessages(request: ModelRequest): Record<string, string> {
  return Object.fromEntries(
    request.messages.filter((m) => m.role === "tool").map((m) => [m.toolCallId, m.content]),
  );
}

Deno.test("cancelling while a tool runs: a tool that completes its effect after the abort is recorded as interrupted, and resume does not repeat it", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/effects`;
    const started = signal();
    const release = signal();
    const finished = signal();
    const charge = chargeTool({
      execute: async ({ cents }, ctx) => {
        started.resolve();
        await release.promise; // the run is cancelled meanwhile; this tool does not look
        Deno.writeTextFileSync(file, `${ctx.idempotencyKey} ${cents}\n`, { append: true });
        finished.resolve();
        return { charged: cents };
      },
    });
    const controller = new AbortController();
    const store = new FileCheckpointStore(`${dir}/ckpt`);
    const run = composableLoop({
      llm: new ScriptedBackend([call("charge", { cents: 500 }), call("done", { answer: "x" })]),
      tools: [charge],
      task: TASK,
      signal: controller.signal,
      hooks: [checkpointHook(store)],
    });
    started.promise.then(() => {
      controller.abort();
      release.resolve();
    });
    const steps = await Array.fromAsync(run);
    await finished.promise;
    assert.equal((await run.outcome).stopReason, "cancelled");
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.result.errorKind, "interrupted");
    assert.match(
      steps[0]!.result.error!,
      /may or may not have taken effect\. Check whether it did/,
    );
    const transcript = (await run.outcome).state.transcript;
    assert.ok(!transcript.some((m) => m.content.includes("Not run")), "never 'Not run'");
    assert.equal(effects(file).length, 1);

    const resume = await new FileCheckpointStore(`${dir}/ckpt`).latest({ task: TASK });
    assert.equal(resume?.steps[0]?.result.errorKind, "interrupted");
    const { run: resumed, seen } = resumeWith(dir, resume, charge);
    const outcome = await resumed.complete();
    assert.equal(outcome.stopReason, "done");
    assert.match(Object.values(seen())[0]!, /^Error: Tool "charge" was interrupted/);
    assert.equal(effects(file).length, 1, "the effect is not repeated");
  });
});

Deno.test("cancelling while a tool runs: a tool that honours the signal and stops is recorded as interrupted; calls that never started are 'Not run'", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/effects`;
    const controller = new AbortController();
    const send = tool({
      name: "send",
      description: "Send an email.",
      input: z.object({ to: z.string() }),
      execute: (_args, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
          controller.abort();
        }),
    });
    const store = new FileCheckpointStore(`${dir}/ckpt`);
    const run = composableLoop({
      llm: new ScriptedBackend([{
        text: "",
        toolCalls: [
          { id: "a", name: "send", args: { to: "ann" } },
          { id: "b", name: "send", args: { to: "bob" } },
        ],
      }]),
      tools: [send],
      task: TASK,
      signal: controller.signal,
      hooks: [checkpointHook(store)],
    });
    const steps = await Array.fromAsync(run);
    const outcome = await run.outcome;
    assert.equal(outcome.stopReason, "cancelled");
    assert.deepEqual(steps.map((step) => [step.call.id, step.result.errorKind]), [
      ["a", "interrupted"],
    ]);
    const answers = Object.fromEntries(
      outcome.state.transcript.filter((m) => m.role === "tool").map((
        m,
      ) => [m.toolCallId, m.content]),
    );
    assert.match(answers.a, /interrupted/);
    assert.equal(answers.b, "Error: Not run: the run stopped (cancelled)");
    assert.equal(outcome.state.inFlight, undefined, "the interrupted call is settled");
    assert.equal(effects(file).length, 0);
    const resume = await new FileCheckpointStore(`${dir}/ckpt`).latest({ task: TASK });
    assert.deepEqual(resume?.queue, []);
    assert.equal(resume?.inFlight, undefined);
  });
});

/**
 * Run a charge that never returns (the process "dies" while it runs), then
 * read what the checkpoints hold, as a new process would.
 */
async function crashDuringCharge(dir: string, options: { replies?: boolean } = {}) {
  const started = signal<string>();
  const hanging = chargeTool({
    execute: (_args, ctx) => {
      started.resolve(ctx.idempotencyKey);
      return new Promise(() => {});
    },
  });
  const store = new FileCheckpointStore(`${dir}/ckpt`);
  const run = composableLoop({
    llm: new ScriptedBackend([call("charge", { cents: 500 })]),
    tools: [hanging],
    task: TASK,
    hooks: [checkpointHook(store, options)],
  });
  run[Symbol.asyncIterator]().next(); // never settles: the run is abandoned mid-tool
  const key = await started.promise;
  await store.close();
  const resume = await new FileCheckpointStore(`${dir}/ckpt`).latest({ task: TASK });
  return { key, resume: resume! };
}

function resumeWith(
  dir: string,
  resume: Parameters<typeof composableLoop>[0]["resume"],
  charge: ReturnType<typeof tool>,
) {
  let seen: Record<string, string> = {};
  const run = composableLoop({
    llm: new ScriptedBackend([(request) => {
      seen = toolMessages(request);
      return { text: "", toolCalls: [{ id: "d", name: "done", args: { answer: "ok" } }] };
    }]),
    tools: [charge],
    task: TASK,
    resume,
    hooks: [checkpointHook(new FileCheckpointStore(`${dir}/ckpt`))],
  });
  return { run, seen: () => seen };
}

Deno.test("resume after a crash mid-tool: the call becomes a failed step of kind interrupted, not a silent re-run", async () => {
  await withDir(async (dir) => {
    const { key, resume } = await crashDuringCharge(dir);
    assert.equal(resume.queue.length, 1);
    assert.deepEqual(resume.inFlight?.map((effect) => [effect.tool, effect.idempotencyKey]), [
      ["charge", key],
    ]);
    let ran = 0;
    const charge = chargeTool({
      execute: () => ++ran,
    });
    const { run, seen } = resumeWith(dir, resume, charge);
    const outcome = await run.complete();
    assert.equal(ran, 0);
    assert.equal(outcome.state.steps[0]!.result.errorKind, "interrupted");
    assert.match(
      Object.values(seen())[0]!,
      /^Error: Tool "charge" was interrupted: the run stopped while it ran, so it may or may not have taken effect/,
    );
    assert.equal(outcome.state.inFlight, undefined);
  });
});

Deno.test("resume after a crash mid-tool: without reply checkpoints the call's start saves the queue, so it is still interrupted", async () => {
  await withDir(async (dir) => {
    const { resume } = await crashDuringCharge(dir, { replies: false });
    assert.deepEqual(resume.queue.map((call) => call.name), ["charge"]);
    assert.equal(resume.inFlight?.length, 1);
    let ran = 0;
    const charge = chargeTool({
      execute: () => ++ran,
    });
    const outcome = await resumeWith(dir, resume, charge).run.complete();
    assert.equal(ran, 0);
    assert.equal(outcome.state.steps[0]?.result.errorKind, "interrupted");
  });
});

Deno.test("resume after a crash mid-tool: onInterrupted 'retry' runs it again with the same idempotency key", async () => {
  await withDir(async (dir) => {
    const { key, resume } = await crashDuringCharge(dir);
    const keys: string[] = [];
    const charge = chargeTool({
      onInterrupted: "retry",
      execute: ({ cents }, ctx) => {
        keys.push(ctx.idempotencyKey);
        return { charged: cents };
      },
    });
    const outcome = await resumeWith(dir, resume, charge).run.complete();
    assert.deepEqual(keys, [key]);
    assert.deepEqual(outcome.state.steps[0]!.result.data, { charged: 500 });
  });
});

Deno.test("resume after a crash mid-tool: reconcile(args, ctx) is asked instead of execute", async () => {
  await withDir(async (dir) => {
    const { key, resume } = await crashDuringCharge(dir);
    const asked: unknown[] = [];
    const charge = chargeTool({
      execute: () => {
        throw new Error("must not run again");
      },
      reconcile: (args, ctx) => {
        asked.push([args, ctx.idempotencyKey]);
        return { charged: args.cents, found: true };
      },
    });
    const { run, seen } = resumeWith(dir, resume, charge);
    const outcome = await run.complete();
    assert.deepEqual(asked, [[{ cents: 500 }, key]]);
    assert.deepEqual(outcome.state.steps[0]!.result.data, { charged: 500, found: true });
    assert.equal(Object.values(seen())[0], '{"charged":500,"found":true}');
  });
});

Deno.test("a read-only tool is not journaled as an effect and simply runs again after a crash", async () => {
  await withDir(async (dir) => {
    const look = tool({
      name: "look",
      description: "Read something.",
      input: z.object({}),
      readOnly: true,
      execute: () => "seen",
    });
    const store = new FileCheckpointStore(dir);
    await composableLoop({
      llm: new ScriptedBackend([call("look"), call("done", { answer: "x" })]),
      tools: [look],
      task: TASK,
      hooks: [checkpointHook(store)],
    }).complete();
    const kinds = Deno.readTextFileSync(`${dir}/journal.jsonl`).trim().split("\n")
      .map((line) => JSON.parse(line).kind);
    assert.ok(!kinds.includes("effect_start"));
  });
});

Deno.test("tool() rejects malformed side-effect declarations", () => {
  const base = { name: "t", description: "d", input: z.object({}), execute: () => 1 };
  assert.throws(
    () => tool({ ...base, readOnly: "yes" as never }),
    /'readOnly' must be true or false/,
  );
  assert.throws(
    () => tool({ ...base, onInterrupted: "again" as never }),
    /'onInterrupted' must be "fail" or "retry", got "again"/,
  );
  assert.throws(() => tool({ ...base, reconcile: 3 as never }), /'reconcile' must be a function/);
});
