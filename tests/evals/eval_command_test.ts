import assert from "node:assert/strict";
import { join } from "node:path";
import { evalCasesCommand, evalRunCommand, saveCases } from "../../evals/mod.ts";
import { captureIo, EVALS_MIXED, EVALS_OK, record, tempDir } from "./_helpers.ts";

Deno.test("evalRunCommand() run prints a table of scores and exits 0 when every mark passes", async () => {
  const dir = await tempDir();
  await record(dir);
  const { out, err, io } = captureIo();
  assert.equal(await evalRunCommand(EVALS_OK, [dir], {}, io), 0);
  assert.deepEqual(err, []);
  const lines = out.join("\n").split("\n");
  assert.equal(lines[0], "Found 3 evals (3 selected), 1 trace");
  assert.match(lines[2]!, /^ {2}evaluator +trace +result {2}score {2}details$/);
  assert.match(lines[3]!, /^✓ evalCompleted +\S+ +pass +1\.00$/);
  assert.match(lines[4]!, /^✓ evalGreetedBoth +\S+ +pass +1\.00 {2}greeted Alice, Bob$/);
  assert.equal(lines.at(-1), "overall: 3 passed, 0 failed (avg score 1.00) → PASS");
});

Deno.test("evalRunCommand() run exits 1 on a failing mark, reports errors as rows and names bad eval files", async () => {
  const root = await tempDir();
  await record(join(root, "run-a"));
  await record(join(root, "run-b"));
  const { out, err, io } = captureIo();
  assert.equal(await evalRunCommand(EVALS_MIXED, [root], {}, io), 1);
  const text = out.join("\n");
  assert.match(text, /^Found 3 evals \(3 selected\), 2 traces/);
  assert.match(text, /\n! evalThrows +run-a +error +– +RangeError: evaluator exploded/);
  assert.match(text, /\n✗ evalZeroScore +run-b +fail +0\.00 {2}nothing good/);
  assert.match(text, /\n {2}evalCompleted +avg=1\.00 +min=1\.00 +max=1\.00 +\(2\/2 passed\)/);
  assert.match(text, /overall: 2 passed, 2 failed, 2 errors \(avg score 0\.50\) → FAIL$/);
  assert.equal(err.length, 2);
  assert.match(err[0]!, /^error: Eval file ".*eval_empty.ts" exports no evaluators/);
  assert.match(err[1]!, /^error: Cannot load eval file ".*eval_broken.ts"/);
});

Deno.test("evalRunCommand() run honours --include and --exclude", async () => {
  const dir = await tempDir();
  await record(dir);
  const { err, io } = captureIo();
  assert.equal(
    await evalRunCommand(join(EVALS_MIXED, "eval_mixed.ts"), [dir], {
      exclude: ["slow"],
      include: ["slow"],
    }, io),
    1,
  );
  assert.equal(err[0], "error: --include/--exclude left none of the 3 evaluators to run");
  const only = captureIo();
  await evalRunCommand(join(EVALS_MIXED, "eval_mixed.ts"), [dir], { include: ["slow"] }, only.io);
  assert.match(only.out.join("\n"), /^Found 3 evals \(1 selected\), 1 trace/);
  assert.match(only.out.join("\n"), /✗ evalZeroScore/);
  assert.doesNotMatch(only.out.join("\n"), /evalCompleted/);
});

Deno.test("evalRunCommand() run names a missing or empty trace folder and exits 1", async () => {
  const { err, io } = captureIo();
  const empty = await tempDir();
  assert.equal(await evalRunCommand(EVALS_OK, [empty, "/no/such/trace"], {}, io), 1);
  assert.match(
    err[0]!,
    /^error: Cannot read trace ".*": it holds no trajectory.json, and no subfolder holds one$/,
  );
  assert.match(err[1]!, /^error: Cannot read trace "\/no\/such\/trace": the path does not exist$/);
  assert.equal(err[2], "error: no readable traces to evaluate");
});

Deno.test("evalRunCommand() run reports an unreadable trace and still scores the others", async () => {
  const root = await tempDir();
  await record(join(root, "good"));
  await Deno.mkdir(join(root, "bad"));
  await Deno.writeTextFile(join(root, "bad", "trajectory.json"), '{"format_version": 9}');
  const { out, err, io } = captureIo();
  assert.equal(await evalRunCommand(EVALS_OK, [root], {}, io), 1);
  assert.match(err[0]!, /format_version 9, newer than this looplet reads/);
  assert.match(out.join("\n"), /✓ evalCompleted +good +pass/);
});

Deno.test("evalRunCommand() cases list and show", async () => {
  const dir = join(await tempDir(), "cases");
  await saveCases([
    { id: "greet-two", task: { description: "Greet Alice and Bob" }, marks: ["smoke", "fast"] },
    { id: "greet-none", notes: "edge case" },
  ], dir);
  const list = captureIo();
  assert.equal(await evalCasesCommand("list", dir, undefined, list.io), 0);
  assert.equal(
    list.out[0],
    [
      `  ${"greet-none".padEnd(30)} [${"-".padEnd(20)}] edge case`,
      `  ${"greet-two".padEnd(30)} [${"smoke,fast".padEnd(20)}] Greet Alice and Bob`,
      "  2 case(s)",
    ].join("\n"),
  );
  const show = captureIo();
  assert.equal(await evalCasesCommand("show", dir, "greet-two", show.io), 0);
  assert.equal(JSON.parse(show.out[0]!).id, "greet-two");
  const ambiguous = captureIo();
  assert.equal(await evalCasesCommand("show", dir, undefined, ambiguous.io), 1);
  assert.match(ambiguous.err[0]!, /holds 2 cases; name one: greet-none, greet-two/);
  const unknown = captureIo();
  assert.equal(await evalCasesCommand("show", dir, "nope", unknown.io), 1);
  assert.match(unknown.err[0]!, /no case "nope"/);
  const missing = captureIo();
  assert.equal(await evalCasesCommand("list", "/no/cases", undefined, missing.io), 1);
  assert.match(missing.err[0]!, /Cannot read eval cases "\/no\/cases": the path does not exist/);
});

Deno.test("evalRunCommand() json prints one object and junit writes a report of every pair", async () => {
  const root = await tempDir();
  await record(join(root, "run-a"));
  const junit = join(root, "eval.xml");
  const { out, io } = captureIo();
  assert.equal(await evalRunCommand(EVALS_MIXED, [root], { json: true, junit }, io), 1);
  const report = JSON.parse(out.join("\n"));
  assert.equal(report.passed, false);
  assert.ok(
    report.results.some((row: { evaluator: string; status: string }) =>
      row.evaluator === "evalThrows" && row.status === "error"
    ),
  );
  assert.equal(report.problems.length, 2);
  const xml = await Deno.readTextFile(junit);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites>/);
  assert.match(xml, new RegExp(`<testsuite name="looplet eval" tests="${report.results.length}"`));
  assert.match(xml, /<testcase classname="run-a" name="evalZeroScore"[^>]*>\n +<failure /);
  assert.match(
    xml,
    /<testcase classname="run-a" name="evalThrows"[^>]*>\n +<error message="RangeError: evaluator exploded"/,
  );
});
