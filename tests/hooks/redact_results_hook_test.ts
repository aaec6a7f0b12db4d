import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import { knownSecretValues, redactResultsHook, redactSecrets } from "../../hooks/mod.ts";
import { z } from "zod";

Deno.test("knownSecretValues() picks the values of secret-looking names, longest first", () => {
  const values = knownSecretValues({
    OPENAI_API_KEY: "sk-0123456789",
    GITHUB_TOKEN: "ghp_0123456789abcdef",
    DB_PASSWORD: "hunter2hunter2",
    AWS_SECRET_ACCESS_KEY: "aws/secret/0123",
    SHORT_TOKEN: "abc",
    PATH: "/usr/bin:/bin",
    PWD: "/home/me/project",
    KEYBOARD: "us-international",
  });
  assert.deepEqual(values, [
    "ghp_0123456789abcdef",
    "aws/secret/0123",
    "hunter2hunter2",
    "sk-0123456789",
  ]);
});

Deno.test("redactResultsHook() scrubs known values from results before the model, steps and transcript", async () => {
  const secret = "tok-0123456789abcdef";
  const leaky = tool({
    name: "leaky",
    description: "Prints a token.",
    input: z.object({}),
    execute: () => ({ out: `token is ${secret}`, nested: [{ again: secret }], count: 1 }),
  });
  const llm = new ScriptedBackend([
    ScriptedBackend.call("leaky", {}),
    ScriptedBackend.call("done", { answer: "ok" }),
  ]);
  const redact = redactSecrets({ patterns: [], values: knownSecretValues({ MY_TOKEN: secret }) });
  const run = composableLoop({
    llm,
    task: "t",
    tools: [leaky],
    hooks: [redactResultsHook(redact)],
  });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps[0]!.result.data, {
    out: "token is [REDACTED]",
    nested: [{ again: "[REDACTED]" }],
    count: 1,
  });
  assert.ok(!JSON.stringify(llm.requests).includes(secret));
  assert.ok(!JSON.stringify((await run.outcome).state).includes(secret));
  assert.throws(() => redactResultsHook("x" as never), /'redact' must be a \(text\) => string/);
});
