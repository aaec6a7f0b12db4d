import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, REPO, waitForFile } from "./_process.ts";

const hasScript =
  new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .outputSync().success;

const BUNDLE = `export function build(runtime) {
  const { z, tool } = runtime.lib;
  const slow = tool({
    name: "slow",
    description: "Works until the file 'go' appears",
    input: z.object({ label: z.string() }),
    async execute({ label }, ctx) {
      ctx.progress("step 1 of 2");
      await Deno.writeTextFile(runtime.workspace + "/started", "");
      while (true) {
        try {
          await Deno.stat(runtime.workspace + "/go");
          return label;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    },
  });
  return { tools: [slow] };
}
`;

/** Read the pty's output until `pattern` shows, returning everything read so far. */
async function until(
  reader: ReadableStreamDefaultReader<string>,
  seen: { text: string },
  pattern: RegExp,
): Promise<void> {
  while (!pattern.test(seen.text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before ${pattern}:\n${seen.text}`);
    seen.text += value;
  }
}

Deno.test({
  name:
    "on a terminal, run shows the running tool with its elapsed time and tool_progress message, also under NO_COLOR",
  ignore: !hasScript,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "looplet-live-" });
    const bundle = join(root, "bundle");
    const workspace = join(root, "ws");
    await Deno.mkdir(bundle);
    await Deno.mkdir(workspace);
    await Deno.writeTextFile(
      join(bundle, "SKILL.md"),
      "---\nname: slow\ndescription: d\nentrypoint: looplet.js\n---\nWork.\n",
    );
    await Deno.writeTextFile(join(bundle, "looplet.js"), BUNDLE);
    const command = [
      Deno.execPath(),
      "run",
      "-A",
      CLI,
      "run",
      bundle,
      "Work",
      "--workspace",
      workspace,
      "--no-trace",
      "--scripted-response",
      `'${JSON.stringify({ tool: "slow", args: { label: "a b" } })}'`,
      "--scripted-response",
      `'${JSON.stringify({ tool: "done", args: { answer: "ok" } })}'`,
    ].join(" ");
    const deadline = AbortSignal.timeout(45_000);
    const child = new Deno.Command("script", {
      args: ["-qfec", `stty cols 150 rows 40; ${command}`, "/dev/null"],
      cwd: REPO,
      // NO_COLOR turns colours off, not the live line.
      env: { TERM: "xterm", NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: deadline,
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const seen = { text: "" };
    try {
      await waitForFile(join(workspace, "started"), deadline);
      await until(reader, seen, /running slow\(label=a b\) \d+\.\ds · step 1 of 2/);
      const first = /running slow\(label=a b\) (\d+\.\d)s/.exec(seen.text)![1];
      // The line is redrawn while the tool runs: wait for a later elapsed time.
      await until(
        reader,
        seen,
        new RegExp(`running slow\\(label=a b\\) (?!${first!.replace(".", "\\.")}s)\\d+\\.\\ds`),
      );
      await Deno.writeTextFile(join(workspace, "go"), "");
      await until(reader, seen, /✓ done in 2 steps: ok/);
      assert.equal((await child.status).code, 0, seen.text);
      assert.ok(seen.text.includes("\r\x1b[2K"), "the line is rewritten in place");
      const sgr = new RegExp(String.raw`\x1b\[\d+(;\d+)*m`);
      assert.doesNotMatch(seen.text, sgr, "no colour under NO_COLOR");
      assert.match(seen.text, /#1 .*slow\(label=a b\) → a b/);
    } finally {
      await Deno.writeTextFile(join(workspace, "go"), "").catch(() => {});
      await reader.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
      await child.stdin.close().catch(() => {});
      await child.status;
      await Deno.remove(root, { recursive: true });
    }
  },
});
