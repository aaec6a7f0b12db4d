import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/mod.ts";

const CASES = fileURLToPath(new URL("../fixtures/cartridges/", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("looplet conform prints PASS per case and exits 0; a failing case exits 1", async () => {
  const passing = await cli(["conform", CASES, "--filter", "reject_runtime"]);
  assert.equal(passing.code, 0, passing.out + passing.err);
  assert.match(passing.out, /PASS 07_reject_runtime_key_in_config \(error\)/);
  assert.match(passing.out, /all \d+ case\(s\) passed/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/01_wrong/cartridge/prompts`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/01_wrong/cartridge/cartridge.json`,
      '{"name":"w","schema_version":2}',
    );
    await Deno.writeTextFile(`${dir}/01_wrong/expected.json`, '{"max_steps": 99}');
    const failing = await cli(["conform", dir]);
    assert.equal(failing.code, 1);
    assert.match(failing.out, /FAIL 01_wrong \(summary\)\n\s+- max_steps: expected 99, got 15/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("looplet hash, describe and diff work on cartridge folders", async () => {
  const hash = await cli(["hash", `${CASES}01_minimal/cartridge`, "--files"]);
  assert.equal(hash.code, 0);
  assert.match(
    hash.out,
    /^[0-9a-f]{64}\n[0-9a-f]{64} {2}cartridge.json\n[0-9a-f]{64} {2}prompts\/system.md$/,
  );
  const describe = await cli(["describe", `${CASES}02_permissions/cartridge`]);
  assert.equal(describe.code, 0);
  assert.match(describe.out, /permissions {10}default allow, 3 rules/);
  const diff = await cli([
    "diff",
    `${CASES}01_minimal/cartridge`,
    `${CASES}02_permissions/cartridge`,
  ]);
  assert.equal(diff.code, 0);
  assert.match(diff.out, /manifest \(1\)\n {2}~ cartridge.json/);
  assert.match(diff.out, /config \(1\)\n {2}\+ config.yaml/);
});

Deno.test("looplet prints a cartridge rejection as one line with its class", async () => {
  const { code, err } = await cli(["describe", `${CASES}09_reject_setup_py/cartridge`]);
  assert.equal(code, 1);
  assert.match(
    err,
    /^error: CartridgeRemovedError: .*09_reject_setup_py\/cartridge\/setup.py: the setup.py escape hatch is removed in spec v2; .*$/,
  );
});

Deno.test("looplet run, blueprint and export-code accept a cartridge", async () => {
  const workspace = await Deno.makeTempDir();
  try {
    const cartridge = `${CASES}03_model_and_output_schema/cartridge`;
    const run = await cli([
      "run",
      cartridge,
      "Finish",
      "--scripted-response",
      '{"tool": "done", "args": {"summary": "all good", "pass": true}}',
      "--no-trace",
      "--workspace",
      workspace,
    ]);
    assert.equal(run.code, 0, run.out + run.err);
    assert.match(run.out, /✓ done in 1 step: \{"summary":"all good","pass":true\}/);
    const blueprint = await cli(["blueprint", cartridge]);
    assert.equal(blueprint.code, 0, blueprint.err);
    const parsed = JSON.parse(blueprint.out);
    assert.equal(parsed.source.kind, "cartridge");
    assert.equal(parsed.name, "model_and_output_schema");
    const program = `${workspace}/agent.ts`;
    const exported = await cli(["export-code", cartridge, program, "--library", ROOT]);
    assert.equal(exported.code, 0, exported.err);
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${ROOT}deno.json`, program, "--blueprint"],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
    assert.equal(
      JSON.parse(new TextDecoder().decode(child.stdout)).fingerprint,
      parsed.fingerprint,
    );
  } finally {
    await Deno.remove(workspace, { recursive: true });
  }
});
