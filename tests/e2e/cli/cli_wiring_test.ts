// The CLI against a real OpenAI-compatible HTTP server on 127.0.0.1 (an e2e test: it starts a server).
import assert from "node:assert/strict";
import { programDependencies } from "../../../cli/main.ts";
import { cli, DEP_AUDIT, tempFolder } from "../../bundles/_helpers.ts";

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
