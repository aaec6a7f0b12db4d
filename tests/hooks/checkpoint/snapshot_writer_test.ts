import assert from "node:assert/strict";
import { SnapshotWriter } from "../../../hooks/checkpoint/_snapshot_writer.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "looplet-writer-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write `count` numbered snapshots keeping the newest `keep`; returns the expected texts. */
function writeMany(
  writer: SnapshotWriter,
  dir: string,
  from: number,
  count: number,
  kept: string[] = [],
  keep = 3,
) {
  const texts = new Map<string, string>();
  for (let index = from; index < from + count; index++) {
    const file = `${dir}/checkpoint-${String(index).padStart(8, "0")}.json`;
    // sizes from a few bytes to ~90 KB (past the in-ring limit), some not ASCII: the
    // ring wraps around many times and large jobs take the direct path
    const size = index % 50 === 49 ? 90_000 : (index * 7919) % 3000;
    const text = JSON.stringify({ seq: index, pad: "é😀x".repeat(size / 3) });
    texts.set(file, text);
    kept.push(file);
    const remove = kept.length > keep ? kept.splice(0, kept.length - keep) : [];
    writer.write({ file, text, remove });
  }
  return { kept, texts };
}

Deno.test("SnapshotWriter: the first files in this thread, then a writer thread; close() waits for all", async () => {
  await withDir(async (dir) => {
    const writer = new SnapshotWriter(false);
    const kept: string[] = [];
    writeMany(writer, dir, 0, 8, kept);
    assert.equal(writer.background, false, "the first 8 files are written in the caller's thread");
    await new Promise((resolve) => setTimeout(resolve, 200)); // the thread starts
    assert.equal(writer.background, true);
    const { texts } = writeMany(writer, dir, 8, 600, kept);
    await writer.close();
    // every job is counted once: written, or skipped because a later job of its batch removes it
    const { written, superseded } = writer.counts;
    assert.equal(written + superseded, 608);
    assert.ok(written >= 8 + 3, `${written} written`);
    assert.equal(writer.background, false);
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, kept.map((file) => file.slice(dir.length + 1)));
    for (const file of kept) assert.equal(Deno.readTextFileSync(file), texts.get(file));
    // after close(), the next files start in this thread again
    writeMany(writer, dir, 700, 1, kept);
    assert.equal(writer.background, false);
    await writer.close();
  });
});

Deno.test("SnapshotWriter reports a failed background write on close, naming the file; later jobs are skipped", async () => {
  await withDir(async (dir) => {
    const writer = new SnapshotWriter(true);
    writeMany(writer, dir, 0, 8);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(writer.background, true);
    Deno.mkdirSync(`${dir}/checkpoint-00000020.json/blocked`, { recursive: true });
    // keep them all: no file is superseded, so the writer must reach the blocked one
    writeMany(writer, dir, 8, 30, [], 100);
    await assert.rejects(
      writer.close(),
      /could not be written \(.*checkpoint-00000020\.json\): /,
    );
    assert.equal(writer.error, undefined, "close() reported it; the writer starts clean");
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    assert.ok(!names.includes("checkpoint-00000030.json"), "no file after the failure");
  });
});

Deno.test("SnapshotWriter does not write a file that a later job of the same batch removes", async () => {
  await withDir(async (dir) => {
    const writer = new SnapshotWriter(false);
    const kept: string[] = [];
    writeMany(writer, dir, 0, 8, kept);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(writer.background, true);
    // one burst of small files, far faster than the thread: most are superseded before it
    // gets to them
    const texts = new Map<string, string>();
    for (let index = 8; index < 308; index++) {
      const file = `${dir}/checkpoint-${String(index).padStart(8, "0")}.json`;
      texts.set(file, `{"seq":${index}}`);
      kept.push(file);
      writer.write({ file, text: texts.get(file)!, remove: kept.splice(0, kept.length - 3) });
    }
    await writer.close();
    assert.ok(writer.counts.superseded > 0, JSON.stringify(writer.counts));
    assert.equal(writer.counts.written + writer.counts.superseded, 308);
    // the directory is as if every file had been written and the old ones removed
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, kept.map((file) => file.slice(dir.length + 1)));
    for (const file of kept) assert.equal(Deno.readTextFileSync(file), texts.get(file));
  });
});
