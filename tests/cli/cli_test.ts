// deno-lint-ignore-file no-regex-spaces no-control-regex
import assert from "node:assert/strict";
import type { Backend, Hook, LoopEvent } from "../../loop/types.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import { LOOPLET_VERSION } from "../../loop/version.ts";
import {
  cli,
  CODER,
  DEP_AUDIT,
  listTree,
  REPO,
  SAMPLE,
  skillMd,
  SKILLS,
  tempFolder,
} from "../bundles/_helpers.ts";

Deno.test("main() prints usage for --help (0), nothing (2) and unknown commands (2)", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: looplet <command>/);
  assert.match(help.out, /wrap-claude-skill <skill> <out>/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /^usage: looplet/);
  const unknown = await cli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /^error: unknown command "frobnicate"\nusage:/);
  assert.deepEqual(await cli(["--version"]), {
    code: 0,
    out: `looplet ${LOOPLET_VERSION}`,
    err: "",
  });
  const runHelp = await cli(["run", "--help"]);
  assert.equal(runHelp.code, 0);
  assert.match(runHelp.out, /^usage: looplet run <bundle> <task>/);
});

Deno.test("run: the scripted coder fixes a copy of the sample project and exits 0 only after the tests pass", async () => {
  const before = await Deno.readTextFile(`${SAMPLE}/stats.ts`);
  const { code, out, err } = await cli([
    "run",
    CODER,
    "Fix the failing test",
    "--scripted",
    "--copy-workspace",
    SAMPLE,
    "--keep",
  ]);
  assert.equal(code, 0, err);
  assert.match(
    out,
    /^looplet run coder\n  Task: Fix the failing test\n  Workspace: .*looplet-workspace-.*\/sample_project/,
  );
  assert.match(out, /#2 ✗ \$ deno test -A → exit 1 \[\d+(ms|\.\ds)\]\n/);
  assert.match(out, /#6 ✓ \$ deno test -A → exit 0 \[\d+(ms|\.\ds)\]\n/);
  assert.match(out, /#5 ✓ edit stats\.ts:12 \(-1 \+3 lines\)/);
  assert.match(out, /✓ done in 7 steps: Fixed median\(\)/);
  const workspace = /Workspace: (.*)/.exec(out)![1];
  assert.equal(err, `kept workspace copy: ${workspace!.slice(0, workspace!.lastIndexOf("/"))}`);
  assert.match(
    await Deno.readTextFile(`${workspace}/stats.ts`),
    /return \(before \+ middle\) \/ 2/,
  );
  const tests = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "-q"],
    cwd: workspace,
  }).output();
  assert.equal(tests.code, 0);
  assert.equal(
    await Deno.readTextFile(`${SAMPLE}/stats.ts`),
    before,
    "the sample project itself is untouched",
  );
  await Deno.remove(workspace!.slice(0, workspace!.lastIndexOf("/")), { recursive: true });
});

Deno.test("run: the coder's test guard rejects done while the tests fail", async () => {
  const { code, out, err } = await cli([
    "run",
    CODER,
    "Fix it",
    "--copy-workspace",
    SAMPLE,
    "--scripted-response",
    '{"tool": "done", "args": {"answer": "All good"}}',
  ]);
  assert.equal(code, 1);
  assert.match(
    out,
    /#1 ✗ done\(answer=All good\) → ERROR: .*Tests have not passed yet: `deno test -A` exited with 1/,
  );
  assert.match(
    err,
    /^error: the model call failed: Scripted backend "scripted" ran out of responses/,
  );
});

Deno.test("run: without --scripted and without a model backend, one line says how to configure one", async () => {
  const { code, err } = await cli(["run", DEP_AUDIT, "Audit"]);
  assert.equal(code, 1);
  assert.equal(
    err,
    "error: No model is configured in this build; run with --scripted to replay the bundle's script, or use a looplet build with model backends (set OPENAI_BASE_URL and OPENAI_MODEL)",
  );
});

Deno.test("run: uses the injected backend, passes --model/--base-url, and falls back to JSON-text when the probe fails", async () => {
  const seen: unknown[] = [];
  let llm: ScriptedBackend | undefined;
  const { code, out, err } = await cli([
    "run",
    DEP_AUDIT,
    "Audit",
    "--workspace",
    `${DEP_AUDIT}/demo_project`,
    "--model",
    "m1",
    "--base-url",
    "http://127.0.0.1:9/v1",
  ], {
    env: { OPENAI_MODEL: "x" },
    backendFromEnv: (env, overrides) => {
      seen.push(env.OPENAI_MODEL, overrides);
      llm = new ScriptedBackend(['{"tool": "done", "args": {"answer": "fine"}}'], {
        name: "fake",
        recordRequests: true,
      });
      return llm;
    },
    probeNativeTools: () =>
      Promise.resolve({ nativeTools: false, reason: "no tool_calls in reply" }),
  });
  assert.equal(code, 0, err);
  assert.deepEqual(seen, ["x", { model: "m1", baseUrl: "http://127.0.0.1:9/v1" }]);
  assert.match(
    out,
    /Model: fake \| Budget: 8 steps\n  Tool protocol: json-text \| Probe: no tool_calls in reply/,
  );
  assert.match(llm!.requests[0]!.systemPrompt, /"tool"/, "the JSON-in-text protocol was sent");
});

Deno.test("run: --trace-dir goes to the injected trace sink, whose hooks see the run and which is closed", async () => {
  const dir = await tempFolder();
  const events: string[] = [];
  let options: unknown;
  let closed = false;
  const recorder: Hook = {
    name: "recorder",
    onEvent: (event: LoopEvent) => void events.push(event.type),
  };
  const { code } = await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--trace-dir", `${dir}/t`], {
    trace: (traceOptions) => {
      options = traceOptions;
      return { hooks: [recorder], close: () => Promise.resolve(void (closed = true)) };
    },
  });
  assert.equal(code, 0);
  assert.deepEqual(options, { traceDir: `${dir}/t`, bundle: "dep-audit", task: "Audit" });
  assert.ok(events.includes("loop_end") && events.includes("step"));
  assert.equal(closed, true);
  let traced = false;
  await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--no-trace"], {
    trace: () => ({ close: () => Promise.resolve(void (traced = true)) }),
  });
  assert.equal(traced, false);
});

Deno.test("run: usage errors exit 2 with the usage line", async () => {
  for (
    const args of [
      ["run", CODER],
      ["run", CODER, "task", "--max-steps", "0"],
      ["run", CODER, "task", "--bogus"],
      ["run", CODER, "task", "--trace-dir", "x", "--no-trace"],
      ["run", CODER, "task", "--scripted-response", ""],
      ["run", CODER, "a", "b"],
    ]
  ) {
    const { code, err } = await cli(args);
    assert.equal(code, 2, args.join(" "));
    assert.match(err, /^error: .*\nusage: looplet run <bundle> <task>/);
  }
});

Deno.test("run: an invalid bundle exits 1 listing each problem, with a stack only under --debug", async () => {
  const root = await tempFolder({ "SKILL.md": "---\nname: x\n---\n" });
  const { code, err } = await cli(["run", root, "task", "--scripted"]);
  assert.equal(code, 1);
  assert.equal(
    err,
    `error: ${root}/SKILL.md:2: 'description' is missing; add 'description: what the skill does and when to use it'`,
  );
  const debug = await cli(["run", root, "task", "--scripted", "--debug"]);
  assert.match(debug.err, /\n\s+at /);
  const both = await tempFolder({ "SKILL.md": "---\nlicense: 3\n---\n" });
  const many = await cli(["run", both, "task", "--scripted"]);
  assert.match(
    many.err,
    /^error: 3 problems:\n  - .*'name' is missing.*\n  - .*'description' is missing.*\n  - .*'license' must be a string/,
  );
  const missing = await cli(["run", `${root}/none`, "task", "--scripted"]);
  assert.match(missing.err, /none: does not exist; give the path of a bundle folder/);
});

Deno.test("run: a command tool that prints non-JSON or exits non-zero fails with the manifest and the fix", async () => {
  const tool = (name: string, script: string) => ({
    [`tools/${name}/tool.json`]: JSON.stringify({
      name,
      description: name,
      input_schema: { type: "object", properties: {} },
      command: ["sh", "-c", script],
    }),
  });
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    ...tool("chatty", "echo hello there"),
    ...tool("crashy", "echo boom >&2; exit 3"),
  });
  const workspace = await tempFolder();
  const { code, out } = await cli([
    "run",
    root,
    "task",
    "--workspace",
    workspace,
    "--scripted-response",
    '{"tool": "chatty", "args": {}}',
    "--scripted-response",
    '{"tool": "crashy", "args": {}}',
  ]);
  assert.equal(code, 1);
  assert.match(
    out,
    /#1 ✗ chatty\(\) → ERROR: [^\n]*\n    Error: tool "chatty" \(.*tools\/chatty\/tool\.json command\) printed non-JSON output: "hello there"; the command must print exactly one JSON value/,
  );
  assert.match(
    out,
    /#2 ✗ crashy\(\) → ERROR: [^\n]*\n    Error: tool "crashy" \(.*tools\/crashy\/tool\.json command\) exited with code 3: boom; fix the command/,
  );
  assert.deepEqual(await listTree(workspace), []);
});

Deno.test("run: colours and the spinner only on a TTY, and NO_COLOR turns colours off", async () => {
  const coloured = await cli(["run", DEP_AUDIT, "Audit", "--scripted"], { isTTY: true });
  assert.match(coloured.out, /\x1b\[32m✓ done/);
  const plain = await cli(["run", DEP_AUDIT, "Audit", "--scripted"], {
    isTTY: true,
    env: { NO_COLOR: "1" },
  });
  assert.doesNotMatch(plain.out, /\x1b\[/);
  const piped = await cli(["run", DEP_AUDIT, "Audit", "--scripted"]);
  assert.doesNotMatch(piped.out, /\x1b\[/);
});

Deno.test("blueprint prints sorted JSON with the fingerprint", async () => {
  const { code, out } = await cli(["blueprint", DEP_AUDIT]);
  assert.equal(code, 0);
  const blueprint = JSON.parse(out);
  assert.equal(blueprint.schema_version, "looplet.agent-blueprint.v1");
  assert.deepEqual(Object.keys(blueprint), [...Object.keys(blueprint)].sort());
  assert.match(blueprint.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal((await cli(["blueprint", DEP_AUDIT, "--max-steps", "x"])).code, 2);
});

Deno.test("export-code writes a program; an existing output exits 1 and is left alone", async () => {
  const dir = await tempFolder({ "taken.ts": "// keep" });
  const ok = await cli(["export-code", DEP_AUDIT, `${dir}/audit.ts`, "--library", REPO]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^exported .* -> .*audit\.ts\nfingerprint: [0-9a-f]{64}$/);
  const taken = await cli(["export-code", DEP_AUDIT, `${dir}/taken.ts`]);
  assert.equal(taken.code, 1);
  assert.match(
    taken.err,
    /taken\.ts: out-file: already exists; choose a new path or remove it first \(nothing was written\)/,
  );
  assert.equal(await Deno.readTextFile(`${dir}/taken.ts`), "// keep");
});

Deno.test("package turns a factory into a bundle that runs", async () => {
  const dir = await tempFolder({
    "factory.ts": `export function greeter(runtime) {
      const { tool, z } = runtime.lib;
      return { tools: [tool({ name: "hi", description: "Say hi", input: z.object({}), execute: () => "hi" })] };
    }`,
  });
  const packaged = await cli([
    "package",
    `${dir}/factory.ts#greeter`,
    `${dir}/greeter`,
    "--description",
    "Greets",
  ]);
  assert.equal(packaged.code, 0, packaged.err);
  const run = await cli([
    "run",
    `${dir}/greeter`,
    "say hi",
    "--scripted-response",
    '{"tool": "hi", "args": {}}',
    "--scripted-response",
    '{"tool": "done", "args": {"answer": "said hi"}}',
  ]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /#1 ✓ hi\(\) → hi/);
  const bad = await cli(["package", "factory.ts", `${dir}/x`]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /factory: must look like path\/to\/module\.ts#exportName/);
});

Deno.test("wrap-claude-skill wraps a skill, reports gaps, and refuses its own folder as output", async () => {
  const out = `${await tempFolder()}/comms`;
  const { code, out: text } = await cli([
    "wrap-claude-skill",
    `${SKILLS}status-updates`,
    out,
  ]);
  assert.equal(code, 0);
  assert.match(text, /compatibility: resources-present\ngap: 4 resource file\(s\)/);
  const run = await cli([
    "run",
    out,
    "Write a 3P update",
    "--scripted-response",
    '{"tool":"done","args":{"answer":"ok"}}',
  ]);
  assert.equal(run.code, 0, run.err);
  const self = await cli(["wrap-claude-skill", out, out]);
  assert.equal(self.code, 1);
  assert.match(
    self.err,
    /out-dir: is the skill folder itself; give a new folder outside the skill \(nothing was written\)/,
  );
});

Deno.test("list-bundles prints name, status, path and description; --json and --include-invalid", async () => {
  const text = await cli(["list-bundles", `${REPO}examples/skills`]);
  assert.equal(text.code, 0);
  assert.match(text.out, /^coder\tok\t.*examples\/skills\/coder\tFixes bugs/);
  assert.match(text.out, /\ndep-audit\tok\t/);
  const root = await tempFolder({ "broken/SKILL.md": "no front matter" });
  const json = await cli(["list-bundles", root, "--json", "--include-invalid"]);
  const cards = JSON.parse(json.out);
  assert.equal(cards[0].ok, false);
  assert.match(cards[0].errors[0], /has no front matter/);
  assert.equal((await cli(["list-bundles", root])).out, "no bundles found");
  assert.equal((await cli(["list-bundles"])).code, 2);
  assert.equal((await cli(["list-bundles", `${root}/nope`])).code, 1);
});

Deno.test("new scaffolds a bundle that runs at once with --scripted; an existing folder exits 1", async () => {
  const dir = `${await tempFolder()}/hello`;
  const made = await cli(["new", dir]);
  assert.equal(made.code, 0);
  const run = await cli(["run", dir, "Greet Ada", "--scripted"]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /#1 ✓ greet\(name=Ada\) → greeting: Hello, Ada!/);
  const again = await cli(["new", dir]);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists/);
  const nested = `${await tempFolder()}/agents/team/hello`;
  assert.equal((await cli(["new", nested])).code, 0, "missing parent folders are created");
  assert.ok((await Deno.stat(`${nested}/SKILL.md`)).isFile);
});

Deno.test("doctor reports runtime and environment, and the endpoint when a backend is injected", async () => {
  const plain = await cli(["doctor", "--json"], {
    env: { OPENAI_MODEL: "m", OPENAI_API_KEY: "sk-secret" },
  });
  assert.equal(plain.code, 0);
  const { checks } = JSON.parse(plain.out);
  assert.deepEqual(checks.find((c: { name: string }) => c.name === "OPENAI_API_KEY"), {
    name: "OPENAI_API_KEY",
    status: "ok",
    detail: "set",
  });
  assert.doesNotMatch(plain.out, /sk-secret/);
  assert.equal(checks.find((c: { name: string }) => c.name === "endpoint").status, "skip");
  const backend: Backend = new ScriptedBackend([], { name: "fake" });
  const probed = await cli(["doctor"], {
    backendFromEnv: () => backend,
    probeNativeTools: () => Promise.resolve({ nativeTools: true, reason: "tool call returned" }),
  });
  assert.equal(probed.code, 0);
  assert.match(probed.out, /^looplet doctor\nOK    runtime: Deno /);
  assert.match(probed.out, /OK    native_tools: tool call returned/);
  const broken = await cli(["doctor"], {
    backendFromEnv: () => {
      throw new Error("OPENAI_BASE_URL is not a URL");
    },
  });
  assert.equal(broken.code, 1);
  assert.match(broken.out, /ERROR endpoint: OPENAI_BASE_URL is not a URL/);
});

Deno.test("show and eval parse with the one parser, and injected commands replace them", async () => {
  const cases: [string[], RegExp][] = [
    [["show"], /^error: 'show' needs a trace folder\nusage: looplet show <trace-dir>/],
    [["show", "a", "b"], /^error: 'show' got unexpected argument "b"/],
    [["show", "x", "--bogus"], /^error: unknown option '--bogus'\nusage: looplet show/],
    [["show", "x", "--jsn"], /^error: unknown option '--jsn'; did you mean '--json'\?/],
    [["show", "x", "--out", "f.html"], /^error: --out is only used with --html/],
    [["eval"], /^usage: looplet eval run <evals> <trace-dir>\.\.\./],
    [["eval", "bogus"], /^error: unknown eval command "bogus"/],
    [["eval", "rn"], /did you mean 'eval run'\?/],
    [
      ["eval", "run", "only-evals"],
      /^error: 'eval run' needs an evals path and at least one trace/,
    ],
    [
      ["eval", "run", "a", "b", "--threshold", "x"],
      /^error: --threshold must be a number, got "x"/,
    ],
    [["eval", "cases", "list"], /^error: 'eval cases list' needs a cases file or folder/],
    [
      ["eval", "run", "a", "b", "--nope"],
      /^error: unknown option '--nope'\nusage: looplet eval run/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, err } = await cli(args);
    assert.equal(code, 2, JSON.stringify(args));
    assert.match(err, pattern, JSON.stringify(args));
  }
  const missing = await cli(["show", "/no/such/trace"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^error: Cannot read trace "\/no\/such\/trace"/);
  const calls: string[][] = [];
  const shown = await cli(["show", "dir", "--x"], {
    commands: {
      show: (args, io) => {
        calls.push(args);
        io.stdout("shown");
        return Promise.resolve(0);
      },
    },
  });
  assert.deepEqual(shown, { code: 0, out: "shown", err: "" });
  assert.deepEqual(calls, [["dir", "--x"]]);
});

Deno.test("run: a bundle that exports run() owns the run and its exit code", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: own\ndescription: d"),
    "looplet.ts": `export function build() { return {}; }
      export function scriptedResponses() { return ["a", "b"]; }
      export function run(ctx) {
        ctx.stdout("task=" + ctx.task + " steps=" + ctx.runtime.maxSteps + " replies=" + ctx.scriptedResponses.length);
        return 3;
      }`,
  });
  const { code, out } = await cli(["run", root, "go", "--scripted", "--max-steps", "4"]);
  assert.equal(code, 3);
  assert.equal(out, "task=go steps=4 replies=2");
  const bad = await tempFolder({
    "SKILL.md": skillMd("name: own\ndescription: d"),
    "looplet.ts": 'export function build() { return {}; } export function run() { return "ok"; }',
  });
  const result = await cli(["run", bad, "go", "--scripted-response", "x"]);
  assert.equal(result.code, 1);
  assert.match(result.err, /run\(\) returned "ok"; it must return an integer exit code/);
});

Deno.test("wrap-claude-skill refuses an existing output folder and leaves it untouched", async () => {
  const out = await tempFolder({ "mine.txt": "keep" });
  const { code, err } = await cli(["wrap-claude-skill", `${SKILLS}house-style`, out]);
  assert.equal(code, 1);
  assert.match(
    err,
    /out-dir: already exists; choose a new path or remove it first \(nothing was written\)/,
  );
  assert.deepEqual(await listTree(out), ["mine.txt"]);
});

Deno.test("run and blueprint accept the name of a shipped example bundle", async () => {
  const workspace = await tempFolder();
  const run = await cli(["run", "dep-audit", "Audit", "--scripted", "--workspace", workspace]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /^looplet run dep-audit/);
  const blueprint = await cli(["blueprint", "coder"]);
  assert.equal(JSON.parse(blueprint.out).name, "coder");
  const missing = await cli(["blueprint", "no-such-bundle"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no-such-bundle: does not exist/);
});

const hasGit = new Deno.Command("git", { args: ["--version"], stdout: "null", stderr: "null" })
  .outputSync().success;

Deno.test({
  name:
    "run: the git-history bundle (code + declarative tools, custom lines) analyses a real repository",
  ignore: !hasGit,
  fn: async () => {
    const repo = await tempFolder({ "a.txt": "1", "b.txt": "1" });
    const git = (...args: string[]) =>
      new Deno.Command("git", {
        args: ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", ...args],
        cwd: repo,
        stdout: "null",
        stderr: "null",
      }).outputSync();
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "first");
    await Deno.writeTextFile(`${repo}/a.txt`, "2\n3");
    git("commit", "-qam", "second");
    const { code, out, err } = await cli([
      "run",
      "git-history",
      "What changed?",
      "--scripted",
      "--workspace",
      repo,
    ]);
    assert.equal(code, 0, err);
    assert.match(out, /#1 ✓ recent_commits\(count=5\) → 2 commits/);
    assert.match(out, /#2 ✓ hotspots: a\.txt \(2\), b\.txt \(1\)/);
    assert.match(out, /#3 ✓ owners of \.: Ada \(2\)/);
    const notRepo = await cli([
      "run",
      "git-history",
      "x",
      "--scripted",
      "--workspace",
      await tempFolder(),
    ]);
    assert.match(notRepo.out, /#1 ✗ recent_commits\(count=5\) → ERROR: .*git log failed/);
    assert.match(notRepo.out, /is the workspace a git repository\?/);
  },
});
