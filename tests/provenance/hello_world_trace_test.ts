import assert from "node:assert/strict";
import { join } from "node:path";
import { greet } from "../../examples/hello_world.ts";
import { assertReplay, showCommand } from "../../provenance/mod.ts";
import { EvalContext, evalRun, evalRunCommand } from "../../evals/mod.ts";
import { tempDir } from "./_helpers.ts";

const EXAMPLE = new URL("../../examples/hello_world.ts", import.meta.url).pathname;
const EVALS_OK = new URL("../evals/fixtures/evals_ok", import.meta.url).pathname;

async function runExample(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", EXAMPLE, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(30_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

const DEMO_LINES = [
  "#1 ✓ greet(name=Alice) → greeting: Hello, Alice! [0ms]",
  "#2 ✓ greet(name=Bob) → greeting: Hello, Bob! [0ms]",
  "#3 ✓ done(answer=Greeted Alice and Bob) → Greeted Alice and Bob [0ms]",
  "stop: done · answer: Greeted Alice and Bob · steps: 3",
];

Deno.test("hello_world --scripted uses the scripted model even when a real one is configured", async () => {
  // Nothing listens on port 9 (discard): asking this "real" model would fail.
  const env = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1", OPENAI_MODEL: "none" };
  const scripted = await runExample(["--scripted"], env);
  assert.equal(scripted.code, 0, scripted.stderr);
  assert.deepEqual(
    scripted.stdout.trimEnd().split("\n").map((l) => l.replace(/\[\d+ms\]/, "[0ms]")),
    DEMO_LINES,
  );
  const real = await runExample([], env);
  assert.notEqual(real.code, 0, "without --scripted the configured model is asked");
  const unknown = await runExample(["--scriptd"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /usage: hello_world\.ts \[--scripted\] \[--trace DIR\]/);
});

Deno.test("hello_world --trace DIR writes a trace that show renders, replay reproduces and evals pass", async () => {
  const dir = join(await tempDir(), "hello");
  const plain = await runExample([]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(
    plain.stdout.trimEnd().split("\n").map((l) => l.replace(/\[\d+ms\]/, "[0ms]")),
    DEMO_LINES,
  );

  const traced = await runExample(["--trace", dir]);
  assert.equal(traced.code, 0, traced.stderr);
  const lines = traced.stdout.trimEnd().split("\n").map((l) => l.replace(/\[\d+ms\]/, "[0ms]"));
  assert.deepEqual(lines, [...DEMO_LINES, `trace: ${dir}`]);

  const out: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) };
  assert.equal(await showCommand(dir, {}, io), 0);
  assert.match(out[0]!, /^[0-9a-f]{12} {2}✓ done {2}3 steps {2}3 LLM calls/);

  const outcome = await assertReplay(dir, { tools: [greet] });
  assert.equal(outcome.finalAnswer, "Greeted Alice and Bob");

  const results = await evalRun(
    { evalCompleted: (ctx) => ctx.completed },
    await EvalContext.fromTraceDir(dir),
  );
  assert.equal(results[0]!.status, "pass");
  out.length = 0;
  assert.equal(await evalRunCommand(EVALS_OK, [dir], {}, io), 0, out.join("\n"));

  // A second run into the same directory is refused, naming the fix.
  const again = await runExample(["--trace", dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already holds the trace of run/);
});
