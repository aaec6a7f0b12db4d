// The CLI against a real OpenAI-compatible HTTP server on 127.0.0.1 (an e2e test: it starts a server).
import assert from "node:assert/strict";
import { programDependencies } from "../../../cli/main.ts";
import { cli, DEP_AUDIT, tempFolder } from "../../bundles/_helpers.ts";
import { probeCall, serveFakeOpenAI, toolCallCompletion } from "../_fake_openai.ts";

Deno.test("run drives a real OpenAI-compatible endpoint, records a trace, and show reads it", async () => {
  const answer = JSON.stringify({ answer: "No risky dependencies" });
  const server = serveFakeOpenAI((body, number) =>
    Response.json(
      toolCallCompletion(probeCall(body) ?? { name: "done", arguments: answer }, {
        callId: `call_${number}`,
      }),
    )
  );
  try {
    const dir = await tempFolder({});
    const traceDir = `${dir}/trace`;
    const env = {
      OPENAI_BASE_URL: server.url,
      OPENAI_MODEL: "fake",
    };
    const run = await cli(
      ["run", DEP_AUDIT, "Audit the dependencies", "--workspace", dir, "--trace-dir", traceDir],
      { ...programDependencies(), env },
    );
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /done/);
    assert.equal(server.requests.length, 2, "one probe request, then one loop turn");
    const shown = await cli(["show", traceDir], programDependencies());
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /done/);
    assert.match(shown.out, /#1\s+✓ done\(answer=No risky dependencies\)/);
    assert.match(shown.out, /tokens: 10 in \/ 3 out/);
  } finally {
    await server.close();
  }
});
