// The README snippets that need a server: the MCP one runs the pinned filesystem server from
// .ci/mcp-servers (in place of `npx -y`), the real-model one talks to an OpenAI-compatible fake
// on 127.0.0.1 that answers once correctly and once with a provider error.
import assert from "node:assert/strict";
import { runSnippet, snippet } from "../_readme_snippets.ts";
import { probeCall, serveFakeOpenAI, toolCallCompletion } from "./_fake_openai.ts";
import { filesystemStdio } from "./tools/mcp/_servers.ts";

const withoutTimes = (out: string) =>
  out.trim().split("\n").map((line) => line.replace(/ \[\d+ms\]$/, ""));

Deno.test("README MCP snippet writes and reads a file through the filesystem server", async () => {
  const [entry] = filesystemStdio("/").args as string[];
  const run = await runSnippet(snippet("connectMcpServer"), {
    rewrite: (code) => {
      const npx =
        'command: "npx",\n  args: ["-y", "@modelcontextprotocol/server-filesystem", root],';
      assert.ok(code.includes(npx), "the snippet starts the server with npx");
      return code.replace(npx, `command: "node",\n  args: [${JSON.stringify(entry)}, root],`);
    },
  });
  try {
    assert.equal(run.code, 0, run.stderr);
    const lines = withoutTimes(run.stdout);
    assert.match(lines[0] ?? "", /^#1 ✓ fs_write_file\(/);
    assert.match(lines[1] ?? "", /^#2 ✓ fs_read_text_file\(.*Hello, MCP/);
    assert.deepEqual(lines.slice(2), [
      "#3 ✓ done(answer=hello.txt says: Hello, MCP) → hello.txt says: Hello, MCP",
      "done",
    ]);
  } finally {
    await Deno.remove(run.cwd, { recursive: true });
  }
});

/** A fake /v1/chat/completions: the probe gets its tool call; loop turns get `reply`. */
function fakeModel(reply: () => Response) {
  return serveFakeOpenAI((body) => {
    const probe = probeCall(body);
    return probe === undefined ? reply() : Response.json(toolCallCompletion(probe));
  });
}

Deno.test("README real-model snippet: a reply, then an llm_error shown with its stop reason and error", async () => {
  const answer = JSON.stringify({ answer: "hi" });
  const good = fakeModel(() =>
    Response.json(toolCallCompletion({ name: "done", arguments: answer }))
  );
  const bad = fakeModel(() =>
    Response.json(
      { error: { message: "The model `llama3.2` does not exist", code: "model_not_found" } },
      { status: 404 },
    )
  );
  try {
    const ok = await runSnippet(snippet("probeNativeTools"), {
      env: { OPENAI_BASE_URL: good.url, OPENAI_MODEL: "fake" },
    });
    assert.equal(ok.code, 0, ok.stderr);
    const lines = withoutTimes(ok.stdout);
    assert.match(lines[0] ?? "", /^native tools: true /);
    assert.equal(lines[1], "#1 ✓ done(answer=hi) → hi");
    assert.equal(lines[2], "stop: done");
    assert.match(ok.stdout, /inputTokens: 10, outputTokens: 3/);
    assert.match(ok.stdout, /cost: /);
    const recording = JSON.parse(await Deno.readTextFile(`${ok.cwd}/run.recording.json`));
    assert.equal(typeof recording, "object");

    const failed = await runSnippet(snippet("probeNativeTools"), {
      env: { OPENAI_BASE_URL: bad.url, OPENAI_MODEL: "fake" },
    });
    assert.equal(failed.code, 0, failed.stderr);
    assert.match(failed.stdout, /^stop: llm_error$/m);
    assert.match(failed.stdout, /^error: .*does not exist/m);
    assert.match(failed.stdout, /inputTokens: 0/);
    await Deno.remove(ok.cwd, { recursive: true });
    await Deno.remove(failed.cwd, { recursive: true });
  } finally {
    await good.close();
    await bad.close();
  }
});
