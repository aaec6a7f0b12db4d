// Secrets in the parent's environment never reach a command, the model or the trace.
import assert from "node:assert/strict";
import process from "node:process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { composableLoop } from "../../../../loop/composable_loop.ts";
import { ScriptedBackend } from "../../../../backends/scripted.ts";
import { workspaceTools } from "../../../../tools/workspace/workspace_tools.ts";
import { ProvenanceSink } from "../../../../provenance/provenance_sink.ts";
import { programDependencies } from "../../../../cli/main.ts";
import { cli, tempFolder } from "../../../bundles/_helpers.ts";
import { within } from "./_deadline.ts";

const KEY = "sk-live-0123456789abcdefghijklmnopqrstuv";
const LEAKS = `env; echo "key=$FAKE_PROVIDER_API_KEY"; printenv FAKE_PROVIDER_API_KEY`;

async function allText(dir: string): Promise<string> {
  let text = "";
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), "utf8");
  }
  return text;
}

Deno.test("bash never sees the parent's API key: absent from the result, the request and the trace", async () => {
  process.env.FAKE_PROVIDER_API_KEY = KEY;
  try {
    const workspace = await tempFolder();
    const traceDir = await tempFolder();
    const llm = new ScriptedBackend([
      ScriptedBackend.call("bash", { command: LEAKS }),
      ScriptedBackend.call("done", { answer: "checked" }),
    ]);
    const sink = new ProvenanceSink(traceDir, { overwrite: true });
    const run = composableLoop({
      llm: sink.wrap(llm),
      task: "print the environment",
      tools: workspaceTools(workspace),
      hooks: [sink.hook()],
    });
    const steps = await within(30_000, "run", Array.fromAsync(run));
    await sink.flush();
    const bash = steps[0]!.result.data as { stdout: string };
    assert.match(bash.stdout, /^PATH=/m, "the command did print its environment");
    assert.match(bash.stdout, /^key=$/m);
    assert.ok(!JSON.stringify(steps.map((step) => step.toJSON())).includes(KEY));
    assert.ok(!JSON.stringify(llm.requests).includes(KEY));
    const trace = await allText(traceDir);
    assert.ok(trace.includes("PATH="), "the trace holds the bash result");
    assert.ok(!trace.includes(KEY), "the key is not in the trace");
  } finally {
    delete process.env.FAKE_PROVIDER_API_KEY;
  }
});

Deno.test("looplet run: a passed secret reaches only the tool that names it, and is redacted from results", async () => {
  const bundle = await tempFolder({
    "SKILL.md": "---\nname: env-probe\ndescription: Prints what its tools can see.\n" +
      "entrypoint: looplet.ts\npass-env: [PROBE_TOKEN]\n---\nProbe.\n",
    "looplet.ts":
      "export function build(runtime) { return { tools: runtime.lib.workspaceTools(runtime.workspace) }; }\n",
    "tools/env_dump/tool.json": JSON.stringify({
      name: "env_dump",
      description: "Print what a command tool sees.",
      input_schema: { type: "object", properties: {} },
      command: ["sh", "${TOOL_DIR}/dump.sh"],
    }),
    "tools/env_dump/dump.sh":
      `printf '{"key":"%s","home":"%s"}' "$FAKE_PROVIDER_API_KEY" "$HOME"\n`,
    "scripted.json": JSON.stringify([
      { toolCalls: [{ name: "env_dump", args: {} }] },
      { toolCalls: [{ name: "bash", args: { command: `${LEAKS}; echo "token=$PROBE_TOKEN"` } }] },
      { toolCalls: [{ name: "done", args: { answer: "probed" } }] },
    ]),
  });
  const workspace = await tempFolder();
  const traceDir = `${await tempFolder()}/trace`;
  const token = "probe-token-0123456789";
  const { code, out, err } = await within(
    30_000,
    "looplet run",
    cli(["run", bundle, "Probe", "--scripted", "--workspace", workspace, "--trace-dir", traceDir], {
      ...programDependencies(),
      env: { PATH: process.env.PATH, FAKE_PROVIDER_API_KEY: KEY, PROBE_TOKEN: token },
    }),
  );
  assert.equal(code, 0, `${out}\n${err}`);
  const trace = await allText(traceDir);
  assert.match(trace, /key=\\n/, "the bash result is in the trace, without the key");
  assert.match(trace, /token=\[REDACTED\]/, "the passed token reached bash and was redacted");
  assert.ok(!trace.includes(KEY) && !trace.includes(token));
  assert.match(trace, /"key": ?"",/, "the command tool ran without the key");
  assert.ok(
    trace.includes(`${await Deno.realPath(workspace)}/.looplet/home`),
    "HOME is the workspace's",
  );
});
