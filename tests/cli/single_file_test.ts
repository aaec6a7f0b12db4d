import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { DEP_AUDIT, REPO, SAMPLE, tempFolder } from "../bundles/_helpers.ts";

/** Each build or run is killed after this long (the test then fails on its exit status). */
const DEADLINE_MS = 120_000;
const hasNode = spawnSync("node", ["--version"], { timeout: DEADLINE_MS }).status === 0;

async function build(): Promise<string> {
  const out = `${await tempFolder()}/looplet.mjs`;
  const result = spawnSync(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--minify",
    "--platform",
    "deno",
    "-o",
    out,
    "packages/cli/single_file.ts",
  ], { cwd: REPO, encoding: "utf8", timeout: DEADLINE_MS });
  assert.equal(result.status, 0, result.stderr);
  return out;
}

function run(runtime: string[], file: string, args: string[]) {
  return spawnSync(runtime[0]!, [...runtime.slice(1), file, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    timeout: DEADLINE_MS,
  });
}

Deno.test({
  name:
    "the single-file build is under 1 MB and runs --help, a scripted run and shipped bundles by name on Deno and Node",
  ignore: !hasNode,
  fn: async () => {
    const file = await build();
    assert.ok((await Deno.stat(file)).size < 1_000_000);
    for (const runtime of [[Deno.execPath(), "run", "-A"], ["node"]]) {
      const help = run(runtime, file, ["--help"]);
      assert.equal(help.status, 0, `${runtime[0]}: ${help.stderr}`);
      assert.match(help.stdout, /^usage: looplet <command>/);
      const scripted = run(runtime, file, [
        "run",
        DEP_AUDIT,
        "Audit the dependencies",
        "--scripted",
        "--workspace",
        `${DEP_AUDIT}/demo_project`,
      ]);
      assert.equal(scripted.status, 0, `${runtime[0]}: ${scripted.stderr}`);
      assert.match(scripted.stdout, /#1 ✓ list_dependencies\(\) → 7 dependencies/);
      assert.match(scripted.stdout, /✓ done in 3 steps: Report card/);
      // By name, from the copy embedded in the build (no examples/ folder beside it).
      const named = run(runtime, file, [
        "run",
        "dep-audit",
        "Audit the dependencies",
        "--scripted",
        "--workspace",
        `${DEP_AUDIT}/demo_project`,
        "--no-trace",
      ]);
      assert.equal(named.status, 0, `${runtime[0]}: ${named.stderr}`);
      assert.match(named.stdout, /✓ done in 3 steps: Report card/);
    }
    const coder = run([Deno.execPath(), "run", "-A"], file, [
      "run",
      "coder",
      "Fix the failing test",
      "--scripted",
      "--copy-workspace",
      SAMPLE,
    ]);
    assert.equal(coder.status, 0, coder.stderr);
    assert.match(coder.stdout, /✓ done in 7 steps: Fixed median\(\)/);
    const blueprint = run(["node"], file, ["blueprint", "dep-audit"]);
    assert.equal(blueprint.status, 0, blueprint.stderr);
    assert.match(blueprint.stdout, /list_dependencies/);
    if (!nodeStripsTypes()) {
      // The coder's entrypoint is TypeScript: an older Node is named, with the fix.
      const old = run(["node"], file, [
        "run",
        "coder",
        "Fix it",
        "--scripted",
        "--copy-workspace",
        SAMPLE,
      ]);
      assert.equal(old.status, 1, old.stderr);
      assert.match(
        old.stderr,
        /looplet\.ts: cannot be imported: Node \d+\.\d+\.\d+ cannot load TypeScript; run it with Deno or Node 22\.18/,
      );
    }
  },
});

/** Whether the `node` on the PATH imports `.ts` files (type stripping, on by default from 22.18 and 23.6). */
function nodeStripsTypes(): boolean {
  const [major = 0, minor = 0] = spawnSync("node", ["-p", "process.versions.node"], {
    encoding: "utf8",
    timeout: DEADLINE_MS,
  })
    .stdout.trim().split(".").map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}
