// bash and runCommand: timeouts that hold against detached grandchildren, output capped while read,
// FIFOs refused by the file tools without hanging.
import assert from "node:assert/strict";
import process from "node:process";
import { bashTool } from "../../../../tools/workspace/bash_tool.ts";
import { runCommand } from "../../../../tools/workspace/run_command.ts";
import { readFileTool } from "../../../../tools/workspace/read_file_tool.ts";
import { writeFileTool } from "../../../../tools/workspace/write_file_tool.ts";
import { grepTool } from "../../../../tools/workspace/grep_tool.ts";
import { workspaceRoot } from "../../../../tools/workspace/workspace_path.ts";
import { call, tempWorkspace } from "../../../tools/workspace/_ctx.ts";
import { bashWithin, within } from "./_deadline.ts";

/** The pid in a file, or `undefined`: never 0 or 1, which `kill` would take as a group or init. */
function pidIn(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killPidFile(path: string): void {
  const pid = pidIn(path);
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

Deno.test("bash returns at the timeout even when a setsid grandchild holds stdout", async () => {
  const root = workspaceRoot(await tempWorkspace());
  const bash = bashTool(root, { timeoutMs: 300 });
  try {
    // The grandchild lives for 60 s in its own session with our stdout; the call must not wait for it.
    const result = await bashWithin(
      20_000,
      bash,
      `setsid sh -c 'exec sleep 60' & echo $! > grandchild.pid; echo started; sleep 60`,
    );
    assert.equal(result.timed_out, true);
    assert.equal(result.exit_code, null);
    assert.match(result.stdout, /started/);
  } finally {
    killPidFile(`${root}/grandchild.pid`);
  }
});

Deno.test("bash kills the whole process group at the timeout", async () => {
  const root = workspaceRoot(await tempWorkspace());
  const result = await bashWithin(
    20_000,
    bashTool(root, { timeoutMs: 300 }),
    "sh -c 'exec sleep 60' & echo $! > child.pid; wait",
  );
  assert.equal(result.timed_out, true);
  const pid = pidIn(`${root}/child.pid`);
  assert.ok(pid !== undefined, "bash wrote the child's pid");
  // The child was in bash's process group, so the group's SIGKILL reached it: it is gone, a
  // zombie, or dying with SIGKILL pending (bit 9 of the pending masks); no waiting needed.
  const killed = (() => {
    let status: string;
    try {
      status = Deno.readTextFileSync(`/proc/${pid}/status`);
    } catch {
      return true;
    }
    if (/^State:\s+[ZX]/m.test(status)) return true;
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s+([0-9a-f]+)$/gm)]
      .some(([, mask]) => (BigInt(`0x${mask}`) & (1n << 8n)) !== 0n);
    return pending;
  })();
  const alive = !killed;
  if (alive) process.kill(pid, "SIGKILL");
  assert.equal(alive, false, "the child in the group was killed");
});

Deno.test("bash caps 200 MB of output while reading it, in bounded memory", async () => {
  const root = workspaceRoot(await tempWorkspace());
  const before = Deno.memoryUsage().rss;
  const result = await bashWithin(
    50_000,
    bashTool(root, { maxStdoutChars: 8000 }),
    "head -c 200000000 /dev/zero | tr '\\0' a; echo END",
  );
  const grown = Deno.memoryUsage().rss - before;
  assert.equal(result.truncated, true);
  assert.ok(result.stdout.length < 8100, String(result.stdout.length));
  assert.match(result.stdout, /\[199992\d+ characters omitted\]/);
  assert.match(result.stdout, /aEND\n$/);
  assert.ok(grown < 150 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1e6)} MB`);
});

Deno.test("runCommand() is killed on abort, before or while it runs, and rejects with the reason", async () => {
  const root = workspaceRoot(await tempWorkspace());
  const early = new AbortController();
  const starting = runCommand("sleep", ["60"], { cwd: root, signal: early.signal });
  queueMicrotask(() => early.abort(new Error("stop early")));
  await assert.rejects(within(20_000, "early abort", starting), /stop early/);

  const controller = new AbortController();
  const watcher = Deno.watchFs(root);
  const guard = setTimeout(() => watcher.close(), 20_000); // the test's own deadline
  const running = runCommand("sh", ["-c", "echo $$ > started.pid; exec sleep 60"], {
    cwd: root,
    signal: controller.signal,
  });
  try {
    for await (const event of watcher) {
      if (event.paths.some((path) => path.endsWith("started.pid"))) break;
    }
    controller.abort(new Error("stop now"));
    await assert.rejects(within(20_000, "abort", running), /stop now/);
  } finally {
    clearTimeout(guard);
    try {
      watcher.close();
    } catch {
      // already closed by the deadline
    }
    killPidFile(`${root}/started.pid`);
  }
});

Deno.test("file tools refuse a FIFO at once instead of blocking on it", async () => {
  const root = workspaceRoot(await tempWorkspace({ "ok.txt": "needle\n" }));
  const made = await runCommand("mkfifo", ["pipe"], { cwd: root, timeoutMs: 10_000 });
  assert.equal(made.exitCode, 0, made.stderr);
  const notRegular = /"pipe" is not a regular file \(a FIFO, socket or device\)/;
  await assert.rejects(
    within(20_000, "read", call(readFileTool(root), { path: "pipe" })),
    notRegular,
  );
  await assert.rejects(
    within(20_000, "write", call(writeFileTool(root), { path: "pipe", content: "x" })),
    notRegular,
  );
  const found = await within(20_000, "grep", call(grepTool(root), { pattern: "needle" })) as {
    total: number;
  };
  assert.equal(found.total, 1);
});
