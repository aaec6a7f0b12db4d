import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import { permissionHook } from "../../hooks/mod.ts";

const call = ScriptedBackend.call;
const c = (name: string, args: Record<string, unknown> = {}) => ({ id: "1", name, args });

Deno.test("permissionHook().evaluate(): first match wins, globs on names and arguments, then the default", () => {
  const permissions = permissionHook({
    rules: [
      { tool: "read_*", decision: "allow" },
      {
        tool: "write_file",
        decision: "deny",
        args: { path: "/etc/*" },
        reason: "system files are off limits",
      },
      { tool: "write_file", decision: "ask", args: { path: /\.env$/ } },
      { tool: "write_file", decision: "allow" },
      { tool: "shell", decision: "allow", args: (args) => String(args.cmd).startsWith("ls") },
    ],
  });
  assert.equal(permissions.evaluate(c("read_file", { path: "/etc/passwd" })).decision, "allow");
  const denied = permissions.evaluate(c("write_file", { path: "/etc/hosts" }));
  assert.equal(denied.decision, "deny");
  assert.equal(denied.reason, "system files are off limits");
  assert.equal(permissions.evaluate(c("write_file", { path: "app/.env" })).decision, "ask");
  assert.equal(permissions.evaluate(c("write_file", { path: "notes.md" })).decision, "allow");
  assert.equal(permissions.evaluate(c("shell", { cmd: "ls -la" })).decision, "allow");
  const fallback = permissions.evaluate(c("shell", { cmd: "rm -rf /" }));
  assert.deepEqual(fallback, { decision: "deny", reason: "no rule matched; the default is deny" });
  assert.equal(permissionHook({ rules: [], default: "allow" }).evaluate(c("x")).decision, "allow");
});

Deno.test("permissionHook(): a throwing pattern fails closed (matches deny rules, not allow rules)", () => {
  const boom = () => {
    throw new Error("bad matcher");
  };
  assert.equal(
    permissionHook({ rules: [{ tool: "*", decision: "deny", args: boom }], default: "allow" })
      .evaluate(c("x")).decision,
    "deny",
  );
  assert.equal(
    permissionHook({ rules: [{ tool: "*", decision: "allow", args: { a: boom } }] })
      .evaluate(c("x", { a: 1 })).decision,
    "deny",
  );
});

Deno.test("permissionHook() in a run: denials go back to the model, ask pauses or asks", async () => {
  const written: string[] = [];
  const write = tool({
    name: "write_file",
    description: "Write a file.",
    input: z.object({ path: z.string() }),
    execute: ({ path }) => void written.push(path),
  });
  const script = () =>
    new ScriptedBackend([
      call("write_file", { path: "/etc/hosts" }),
      call("write_file", { path: "notes.md" }),
      call("write_file", { path: ".env" }),
      call("done", { answer: "x" }),
    ]);
  const rules = [
    {
      tool: "write_file",
      decision: "deny" as const,
      args: { path: "/etc/*" },
      reason: "system files",
    },
    { tool: "write_file", decision: "ask" as const, args: { path: "*.env" } },
    { tool: "write_file", decision: "allow" as const },
  ];
  const permissions = permissionHook({ rules });
  const paused = await composableLoop({
    llm: script(),
    tools: [write],
    task: "x",
    hooks: [permissions],
  })
    .complete();
  assert.equal(paused.stopReason, "awaiting_approval");
  assert.equal(paused.pending?.call.args.path, ".env");
  assert.match(
    paused.pending?.reason ?? "",
    /^"write_file" needs approval: rule for "write_file" says ask$/,
  );
  assert.equal(
    paused.state.steps[0]!.result.error,
    'Permission denied for "write_file": system files',
  );
  assert.equal(paused.state.steps[0]!.result.errorKind, "permission_denied");
  assert.deepEqual(written, ["notes.md"]);
  assert.deepEqual(permissions.denials.map((d) => d.args.path), ["/etc/hosts"]);

  written.length = 0;
  const asking = permissionHook({
    rules,
    ask: ({ call }) => ({ approve: false, reason: `not ${call.args.path}` }),
  });
  const outcome = await composableLoop({
    llm: script(),
    tools: [write],
    task: "x",
    hooks: [asking],
  }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.state.steps[2]!.result.error, "Denied by the approver: not .env");
  assert.deepEqual(written, ["notes.md"]);
  assert.equal(asking.denials.length, 2);
});

Deno.test("permissionHook() rejects malformed rules naming them", () => {
  assert.throws(() => permissionHook({ rules: "x" as never }), /'rules' must be an array of rules/);
  assert.throws(
    () =>
      permissionHook({
        rules: [{ tool: "a", decision: "allow" }, { tool: "b", decision: "maybe" as never }],
      }),
    /rules\[1\] has decision "maybe"; use "allow", "deny" or "ask"/,
  );
  assert.throws(
    () => permissionHook({ rules: [{ tool: "a", decision: "deny", args: { p: 3 as never } }] }),
    /rules\[0\]\.args\.p must be a glob string, a RegExp or a \(value\) => boolean/,
  );
  assert.throws(
    () => permissionHook({ rules: [], default: "yes" as never }),
    /'default' must be "allow", "deny" or "ask", got "yes"/,
  );
});
