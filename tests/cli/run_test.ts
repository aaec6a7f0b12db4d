import assert from "node:assert/strict";
import { BackendError } from "../../backends/backend_error.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import type { TraceOptions } from "../../cli/types.ts";
import { cli, CODER, DEP_AUDIT, SAMPLE, skillMd, tempFolder } from "../bundles/_helpers.ts";

const DONE = '{"tool": "done", "args": {"answer": "fine"}}';

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("run --copy-workspace removes its copy at exit; --keep keeps it and says where", async () => {
  const removed = await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--copy-workspace", SAMPLE]);
  assert.equal(removed.code, 0, removed.err);
  const workspace = /Workspace: (.*)/.exec(removed.out)![1];
  assert.match(workspace!, /looplet-workspace-/);
  assert.equal(await exists(workspace!), false);
  assert.equal(await exists(workspace!.slice(0, workspace!.lastIndexOf("/"))), false);
  const usage = await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--keep"]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--keep keeps a --copy-workspace copy/);
});

Deno.test("run refuses a --trace-dir that holds a trace before it starts, and --overwrite replaces it", async () => {
  const dir = await tempFolder({ "t/trajectory.json": "{}" });
  const seen: TraceOptions[] = [];
  const trace = (options: TraceOptions) => {
    seen.push(options);
    return { close: () => Promise.resolve() };
  };
  const refused = await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--trace-dir", `${dir}/t`], {
    trace,
  });
  assert.equal(refused.code, 2);
  assert.match(
    refused.err,
    /^error: --trace-dir ".*\/t" already holds a trace; choose another folder, or pass --overwrite to replace it/,
  );
  assert.equal(refused.out, "", "nothing ran");
  assert.equal(seen.length, 0);
  const replaced = await cli([
    "run",
    DEP_AUDIT,
    "Audit",
    "--scripted",
    "--trace-dir",
    `${dir}/t`,
    "--overwrite",
  ], { trace });
  assert.equal(replaced.code, 0, replaced.err);
  assert.equal(seen[0]!.overwrite, true);
  assert.equal(await exists(`${dir}/t/trajectory.json`), false, "the old trace was removed");
});

Deno.test("run --option is typed by the bundle's declared options, with a did-you-mean", async () => {
  const cases: [string[], RegExp][] = [
    [["--option", "bash_timeout_ms=fast"], /--option bash_timeout_ms must be a number, got "fast"/],
    [["--option", "bash_timeout_ms=1.5"], /--option bash_timeout_ms must be an integer/],
    [["--option", "test_comand=x"], /unknown option "test_comand"; did you mean "test_command"\?/],
    [["--option", "require_tests=maybe"], /--option require_tests must be true or false/],
    [["--option", "novalue"], /--option must look like key=value, got "novalue"/],
  ];
  for (const [flags, pattern] of cases) {
    const { code, err } = await cli(["run", CODER, "Fix", "--scripted", ...flags]);
    assert.equal(code, 2, flags.join(" "));
    assert.match(err, pattern);
  }
  const dep = await cli(["run", DEP_AUDIT, "Audit", "--scripted", "--test-command", "pytest"]);
  assert.equal(dep.code, 2);
  assert.match(dep.err, /declares no test_command option, so --test-command does nothing/);
});

Deno.test("blueprint shows --option and --test-command in the hooks, and lists options, done and the prompt", async () => {
  const { code, out, err } = await cli([
    "blueprint",
    "coder",
    "--test-command",
    "python3 -m unittest",
    "--option",
    "bash_timeout_ms=5000",
  ]);
  assert.equal(code, 0, err);
  const blueprint = JSON.parse(out);
  assert.deepEqual(blueprint.hooks[0], {
    name: "test-guard",
    config: { command: "python3 -m unittest", timeout_ms: 300000 },
  });
  assert.equal(blueprint.options.test_command.default, "deno test -A");
  assert.equal(blueprint.options.bash_timeout_ms.type, "integer");
  assert.equal(blueprint.options.require_tests.type, "boolean");
  assert.equal(blueprint.done_tool.name, "done");
  assert.ok("answer" in blueprint.done_tool.input_schema.properties);
  assert.match(blueprint.composed_prompt, /^You are a careful software engineer/);
  assert.match(blueprint.composed_prompt, /# Skill: coder/);
  const text = JSON.parse((await cli(["blueprint", "coder", "--protocol", "text"])).out);
  assert.match(text.composed_prompt, /"tool"/, "the text protocol is part of the prompt");
});

Deno.test("run reads the task from @file and from - (standard input)", async () => {
  const dir = await tempFolder({ "task.md": "Audit from a file\n", "empty.md": "  \n" });
  const seen: string[] = [];
  const trace = (options: TraceOptions) => {
    seen.push(options.task);
    return { close: () => Promise.resolve() };
  };
  const base = ["--scripted", "--workspace", dir, "--trace-dir", `${dir}/t`];
  const file = await cli(["run", DEP_AUDIT, `@${dir}/task.md`, ...base], { trace });
  assert.equal(file.code, 0, file.err);
  assert.match(file.out, /Task: Audit from a file\n/);
  const stdin = await cli(["run", DEP_AUDIT, "-", ...base, "--overwrite"], {
    trace,
    readStdin: () => Promise.resolve("Audit from stdin\n"),
  });
  assert.equal(stdin.code, 0, stdin.err);
  assert.deepEqual(seen, ["Audit from a file", "Audit from stdin"]);
  const missing = await cli(["run", DEP_AUDIT, `@${dir}/nope.md`, "--scripted"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /Cannot read the task file ".*nope\.md": it does not exist/);
  const empty = await cli(["run", DEP_AUDIT, `@${dir}/empty.md`, "--scripted"]);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /the task file ".*empty\.md" is empty/);
});

Deno.test("run --json prints one JSON object per step, then the outcome", async () => {
  const workspace = await tempFolder();
  const { code, out, err } = await cli([
    "run",
    DEP_AUDIT,
    "Audit",
    "--scripted",
    "--workspace",
    `${DEP_AUDIT}/demo_project`,
    "--json",
  ]);
  assert.equal(code, 0, err);
  const lines = out.split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((line) => line.type), ["step", "step", "step", "outcome"]);
  assert.equal(lines[0].tool, "list_dependencies");
  assert.equal(lines[0].ok, true);
  assert.equal(typeof lines[0].duration_ms, "number");
  assert.equal(lines[3].stop_reason, "done");
  assert.equal(lines[3].exit_code, 0);
  assert.match(lines[3].final_answer, /^Report card/);
  await Deno.remove(workspace, { recursive: true });
});

Deno.test("run says 1 step, not 1 steps", async () => {
  const { code, out } = await cli([
    "run",
    DEP_AUDIT,
    "Audit",
    "--scripted-response",
    DONE,
    "--max-steps",
    "1",
  ]);
  assert.equal(code, 0);
  assert.match(out, /Model: scripted \(1 reply\) \| Budget: 1 step\n/);
  assert.match(out, /✓ done in 1 step: fine/);
});

Deno.test("run prints a probing line and retries a probe that fails with a retryable error", async () => {
  let probes = 0;
  const { code, out, err } = await cli(["run", DEP_AUDIT, "Audit"], {
    backendFromEnv: () => new ScriptedBackend([DONE], { name: "fake" }),
    probeNativeTools: () => {
      probes++;
      if (probes === 1) {
        return Promise.reject(new BackendError("status is 500", { status: 500, retryable: true }));
      }
      return Promise.resolve({ nativeTools: true, reason: "the model returned a structured call" });
    },
  });
  assert.equal(code, 0, err);
  assert.equal(probes, 2);
  assert.match(
    err,
    /^probing model for native tool calls…\nprobe attempt 1 failed \(status is 500\); retrying…/,
  );
  assert.match(out, /Probe: the model returned a structured call/);
  const skipped = await cli(["run", DEP_AUDIT, "Audit", "--protocol", "text"], {
    backendFromEnv: () => new ScriptedBackend([DONE], { name: "fake" }),
    probeNativeTools: () => Promise.reject(new Error("must not probe")),
  });
  assert.equal(skipped.code, 0, skipped.err);
  assert.match(skipped.out, /Tool protocol: json-text \| Probe: --protocol text/);
});

Deno.test("run stops a model that answers in prose, shows its text and says it is not calling tools", async () => {
  const prose = ["I think the dependencies look fine.", "Really, they are fine.", "Trust me."];
  const { code, out, err } = await cli(["run", DEP_AUDIT, "Audit", "--max-steps", "10"], {
    backendFromEnv: () =>
      new ScriptedBackend([...prose, DONE], { name: "chatty", nativeTools: false }),
  });
  assert.equal(code, 1);
  assert.match(out, /model said: I think the dependencies look fine\./);
  assert.match(out, /model said: Trust me\./);
  assert.match(
    err,
    /^error: the model is not calling tools: 3 replies in a row had no tool call it could read; try --protocol native, or another model$/,
  );
  assert.doesNotMatch(err, /max-steps/);
});

Deno.test("run warns that a raw skill's resource files are unreadable, and --resources serves them read-only", async () => {
  const skill = await tempFolder({
    "SKILL.md": skillMd("name: brand\ndescription: Brand rules", "Read reference/colours.md."),
    "reference/colours.md": "Primary: #123456",
    "scripts/check.py": "print('hi')",
  });
  const read = JSON.stringify({ tool: "read_resource", args: { path: "reference/colours.md" } });
  const plain = await cli(["run", skill, "What colour?", "--scripted-response", DONE]);
  assert.equal(plain.code, 0, plain.err);
  assert.match(
    plain.err,
    /^warning: brand has 2 resource files \(reference\/colours\.md, scripts\/check\.py\) the model cannot read; pass --resources/,
  );
  const served = await cli([
    "run",
    skill,
    "What colour?",
    "--resources",
    "--scripted-response",
    read,
    "--scripted-response",
    DONE,
  ]);
  assert.equal(served.code, 0, served.err);
  assert.equal(served.err, "");
  assert.match(served.out, /#1 ✓ read_resource\(path=reference\/colours\.md\) → /);
  const json = await cli([
    "run",
    skill,
    "What colour?",
    "--resources",
    "--json",
    "--scripted-response",
    read,
    "--scripted-response",
    DONE,
  ]);
  assert.match(JSON.stringify(JSON.parse(json.out.split("\n")[0]!).data), /Primary: #123456/);
  const escape = JSON.stringify({ tool: "read_resource", args: { path: "../../etc/passwd" } });
  const refused = await cli([
    "run",
    skill,
    "x",
    "--resources",
    "--scripted-response",
    escape,
    "--scripted-response",
    DONE,
  ]);
  assert.match(refused.out, /#1 ✗ read_resource/);
});

Deno.test("run --stream prints the model's text as it arrives", async () => {
  const reply = { text: "Looking at the lockfiles first.\nThen the report.", toolCalls: [] };
  const { out } = await cli(["run", DEP_AUDIT, "Audit", "--stream", "--max-steps", "2"], {
    backendFromEnv: () =>
      new ScriptedBackend([reply, { toolCalls: [{ name: "done", args: { answer: "ok" } }] }], {
        name: "streamer",
      }),
  });
  assert.match(out, / {2}│ Looking at the lockfiles first\.\n {2}│ Then the report\./);
});

Deno.test("every command's --help lists every flag with a description; unknown flags get a did-you-mean", async () => {
  const commands = [
    ["run"],
    ["blueprint"],
    ["export-code"],
    ["package"],
    ["wrap-claude-skill"],
    ["list-bundles"],
    ["new"],
    ["doctor"],
    ["show"],
    ["eval", "run"],
    ["eval", "cases", "list"],
    ["conform"],
    ["describe"],
    ["diff"],
    ["hash"],
    ["convert"],
  ];
  for (const words of commands) {
    const { code, out } = await cli([...words, "--help"]);
    assert.equal(code, 0, words.join(" "));
    assert.match(out, new RegExp(`^usage: looplet ${words.join(" ")}`));
    const flags = out.split("\n").filter((line) => /^ {2}(-\w, )?--/.test(line));
    assert.ok(flags.some((line) => /--help/.test(line)));
    for (const line of flags) {
      assert.match(line, /--[\w-]+( [A-Z=<>.-]+)? +\S/, `${words.join(" ")}: ${line}`);
    }
  }
  const run = await cli(["run", "--help"]);
  for (const flag of ["--workspace DIR", "--option KEY=VALUE", "--json", "--keep", "--overwrite"]) {
    assert.ok(run.out.includes(flag), flag);
  }
  assert.match(run.out, /--max-steps N +step budget \(default: the bundle's max-steps, else 20\)/);
  const typo = await cli(["run", "coder", "x", "--max-step", "3"]);
  assert.equal(typo.code, 2);
  assert.match(typo.err, /^error: unknown option '--max-step'; did you mean '--max-steps'\?/);
  const command = await cli(["blueprnt"]);
  assert.equal(command.code, 2);
  assert.match(command.err, /^error: unknown command "blueprnt"; did you mean 'blueprint'\?/);
});

Deno.test("show --json and eval run --json / --junit through main()", async () => {
  const { record, tempDir, EVALS_OK } = await import("../evals/_helpers.ts");
  const dir = await tempDir();
  await record(dir);
  const shown = await cli(["show", dir, "--json"]);
  assert.equal(shown.code, 0, shown.err);
  assert.equal(JSON.parse(shown.out).stopReason, "done");
  const junit = `${await tempDir()}/eval.xml`;
  const scored = await cli(["eval", "run", EVALS_OK, dir, "--json", "--junit", junit]);
  assert.equal(scored.code, 0, scored.err);
  const report = JSON.parse(scored.out);
  assert.equal(report.passed, true);
  assert.equal(report.results.length, 3);
  assert.match(
    await Deno.readTextFile(junit),
    /<testsuite name="looplet eval" tests="3" failures="0" errors="0" skipped="0">/,
  );
});
