// The README's example: examples/data_agent.ts (approval + compaction + checkpoints).
import assert from "node:assert/strict";
import { main } from "../../examples/data_agent.ts";
import { FileCheckpointStore } from "../../hooks/mod.ts";

async function quietly(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = (...items: unknown[]) => void lines.push(items.join(" "));
  console.error = (...items: unknown[]) => void lines.push(items.join(" "));
  try {
    return { code: await main(args, { interactive: false }), out: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("data_agent --scripted --auto-approve deletes the inactive users, compacting on the way", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, out } = await quietly(["--scripted", "--auto-approve", "--dir", dir]);
    assert.equal(code, 0, out);
    assert.match(out, /answer: Deleted the inactive users; 30 users remain/);
    assert.match(out, /compacted before turn \d+: \d+ → \d+ tokens \(threshold\)/);
    const saved = await new FileCheckpointStore(`${dir}/checkpoints`).latest();
    assert.equal(saved?.stopReason, "done");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data_agent pauses without a human, then --resume --deny refuses exactly that deletion", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paused = await quietly(["--scripted", "--dir", dir]);
    assert.equal(paused.code, 0, paused.out);
    assert.match(paused.out, /stop: awaiting_approval after 8 steps/);
    const denied = await quietly(["--scripted", "--resume", "--deny", "keep them", "--dir", dir]);
    assert.equal(denied.code, 0, denied.out);
    assert.match(denied.out, /answer: Nothing deleted: .*Denied by the approver: keep them/);
    const database = JSON.parse(await Deno.readTextFile(`${dir}/database.json`));
    assert.equal(database.users.length, 40);
    const again = await quietly(["--scripted", "--resume", "--dir", dir]);
    assert.match(again.out, /That run already finished/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data_agent without --scripted is a usage error", async () => {
  const { code, out } = await quietly([]);
  assert.equal(code, 2);
  assert.match(out, /pass --scripted\nusage: deno run -A examples\/data_agent\.ts --scripted/);
  assert.equal((await quietly(["--bogus"])).code, 2);
});
