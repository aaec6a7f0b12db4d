// The DBOS adapter's caller mistakes, without a database: each is one clear
// error, at once.
import assert from "node:assert/strict";
import { connectRuns, dbosAgent, launchWorker } from "../../dbos/mod.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";

/** A URL nothing listens on: a port just released by a listener of our own. */
function unreachableUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `postgresql://postgres:secret@127.0.0.1:${port}/postgres`;
}

const greeter = dbosAgent("greeter", () => ({ llm: new ScriptedBackend(["hi"]), task: "t" }));

Deno.test("launchWorker() names the URL (password hidden) and the fix when the database does not answer", async () => {
  const url = unreachableUrl();
  const error = await launchWorker({ databaseUrl: url, agents: [greeter], workerId: "w1" })
    .catch((error) => error);
  assert.ok(error instanceof Error);
  assert.match(
    error.message,
    /^Cannot launch worker "w1": PostgreSQL at "postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres" did not answer \(.+\); start PostgreSQL or fix 'databaseUrl'$/,
  );
  assert.equal(error.message.includes("secret"), false);
});

Deno.test("connectRuns() names the URL and the fix when the database does not answer", async () => {
  await assert.rejects(
    connectRuns({ databaseUrl: unreachableUrl() }),
    /^Error: Cannot connect to runs: PostgreSQL at ".+" did not answer .+; start PostgreSQL or fix 'databaseUrl'$/,
  );
  await assert.rejects(
    connectRuns({ databaseUrl: "mysql://x" }),
    /'databaseUrl' must be a postgresql:\/\/ URL, got "mysql:\/\/x"/,
  );
});

Deno.test("launchWorker() rejects bad options before touching the database", async () => {
  const databaseUrl = unreachableUrl();
  await assert.rejects(
    launchWorker({ databaseUrl, agents: [], workerId: "w1" }),
    /'agents' must be a non-empty array of dbosAgent\(\)s/,
  );
  await assert.rejects(
    launchWorker({ databaseUrl, agents: [greeter], workerId: "bad id" }),
    /'workerId' must be letters/,
  );
  await assert.rejects(
    launchWorker({ databaseUrl, agents: [greeter, greeter], workerId: "w1" }),
    /agent "greeter" is listed twice/,
  );
  await assert.rejects(
    launchWorker({ databaseUrl, agents: [greeter], workerId: "w1", concurrency: 0 }),
    /'concurrency' must be a positive integer, got 0/,
  );
  await assert.rejects(
    launchWorker({
      databaseUrl,
      agents: [greeter],
      workerId: "w1",
      takeOverAfterMs: 100,
      heartbeatMs: 100,
    }),
    /'heartbeatMs' \(100\) must be less than 'takeOverAfterMs' \(100\)/,
  );
});

Deno.test("dbosAgent() rejects a name a queue cannot hold and a missing build", () => {
  assert.throws(() => dbosAgent("has space", () => ({}) as never), /letters, digits/);
  assert.throws(
    () => dbosAgent("ok", undefined as never),
    /Cannot make agent "ok": 'build' must be a function/,
  );
});

Deno.test("connectRuns() gives up on a server that accepts and never answers, with the same error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    await assert.rejects(
      connectRuns({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/postgres` }),
      /PostgreSQL at "postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres" did not answer .*; start PostgreSQL or fix 'databaseUrl'/,
    );
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});
