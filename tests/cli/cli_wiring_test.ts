// The program's real dependencies, end to end: the CLI drives a real
// OpenAI-compatible backend over HTTP (a local server on 127.0.0.1), probes it,
// records a provenance trace, and `show` reads that trace back.
import assert from "node:assert/strict";
import { programDependencies } from "../../cli/main.ts";
import { cliBackend, cliConnect } from "../../cli/wiring.ts";
import { OpenAICompatibleBackend } from "../../backends/openai_compatible.ts";
import { AnthropicBackend } from "../../backends/anthropic.ts";
import { cli, DEP_AUDIT, tempFolder } from "../bundles/_helpers.ts";

Deno.test("cliBackend() picks a backend from the environment and the command-line overrides", () => {
  const openai = cliBackend({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }, { model: "llama3.2" });
  assert.ok(openai instanceof OpenAICompatibleBackend);
  const anthropic = cliBackend({ ANTHROPIC_API_KEY: "sk-test" }, {});
  assert.ok(anthropic instanceof AnthropicBackend);
  assert.throws(
    () => cliBackend({}, {}),
    /No model is configured; set OPENAI_BASE_URL and OPENAI_MODEL/,
  );
  assert.throws(() => cliBackend({}, { provider: "anthropic" }), /ANTHROPIC_API_KEY/);
  assert.throws(
    () => cliBackend({}, { provider: "cohere" }),
    /Unknown provider "cohere"; use --provider openai/,
  );
});

Deno.test("run without a configured model fails with one line saying how to configure one", async () => {
  const { code, err } = await cli(["run", DEP_AUDIT, "Audit"], programDependencies());
  assert.equal(code, 1);
  assert.match(err, /No model is configured; set OPENAI_BASE_URL and OPENAI_MODEL/);
  assert.ok(!err.includes("    at "), "no stack trace");
});

Deno.test("cliConnect() reports a missing MCP server command, naming the server", async () => {
  await assert.rejects(
    () => cliConnect({ name: "ghost", command: "/nonexistent/mcp-server" }),
    /ghost/,
  );
});

Deno.test("run drives a real OpenAI-compatible endpoint, records a trace, and show reads it", async () => {
  const requests: { tools: { function: { name: string } }[] }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const body = await request.json();
      requests.push(body);
      const names = (body.tools ?? []).map((t: { function: { name: string } }) => t.function.name);
      const call = names.length === 1
        ? { name: names[0], arguments: "{}" } // the native-tool probe
        : { name: "done", arguments: JSON.stringify({ answer: "No risky dependencies" }) };
      return Response.json({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 0,
        model: "fake",
        choices: [{
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: `call_${requests.length}`, type: "function", function: call }],
          },
        }],
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      });
    },
  );
  try {
    const dir = await tempFolder({});
    const traceDir = `${dir}/trace`;
    const env = {
      OPENAI_BASE_URL: `http://127.0.0.1:${server.addr.port}/v1`,
      OPENAI_MODEL: "fake",
    };
    const run = await cli(
      ["run", DEP_AUDIT, "Audit the dependencies", "--workspace", dir, "--trace-dir", traceDir],
      { ...programDependencies(), env },
    );
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /done/);
    assert.equal(requests.length, 2, "one probe request, then one loop turn");
    const shown = await cli(["show", traceDir], programDependencies());
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /done/);
    assert.match(shown.out, /#1\s+✓ done\(answer=No risky dependencies\)/);
    assert.match(shown.out, /tokens: 10 in \/ 3 out/);
  } finally {
    await server.shutdown();
  }
});
