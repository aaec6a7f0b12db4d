// Hostile input cannot stall or escape the parsers: seeded fuzzing (no
// exception escapes, results keep their invariants) and growth probes (16x the
// input costs about 16x the time, measured against a linear scan of the same
// input in the same process). Each run is in a worker stopped at a deadline.
import assert from "node:assert/strict";
import { FAMILIES } from "./_fuzz_cases.ts";

const SEED = 19;
const DEADLINE_MS = 50_000;
/** Quadratic work grows 256x for 16x the input; linear 16x. */
const GROWTH_FACTOR = 5;

async function inWorker<T>(message: Record<string, unknown>): Promise<T> {
  const worker = new Worker(new URL("./_fuzz_worker.ts", import.meta.url).href, { type: "module" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = new Promise<{ ok: boolean; result?: T; error?: string }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
    });
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${message.name} did not finish within ${DEADLINE_MS} ms`)),
        DEADLINE_MS,
      );
    });
    worker.postMessage(message);
    const reply = await Promise.race([answer, deadline]);
    if (!reply.ok) throw new Error(reply.error);
    return reply.result!;
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}

const GROUPS = [
  ["toolCalls", 40_000],
  ["sse", 30_000],
  ["stdioLines", 10_000],
  ["jsonSchema", 10_000],
  ["patterns", 10_000],
  ["frontMatter", 12_000],
] as const;

Deno.test("the fuzz groups hold at least 100,000 cases", () => {
  assert.ok(GROUPS.reduce((sum, [, count]) => sum + count, 0) >= 100_000);
});

for (const [name, count] of GROUPS) {
  Deno.test(`fuzz ${name}: ${count} seeded cases, no escaped exception`, async () => {
    const result = await inWorker<{ cases: number; failures: string[] }>({
      kind: "fuzz",
      name,
      seed: SEED,
      count,
    });
    assert.equal(result.cases, count);
    assert.deepEqual(result.failures, []);
  });
}

for (const family of FAMILIES) {
  Deno.test(`growth ${family.name}: 16x the input costs about 16x the time`, async () => {
    const size = family.name.startsWith("readSkillMd") ? 16 * 1024 : 128 * 1024;
    const { family: ratio, baseline } = await inWorker<{ family: number; baseline: number }>({
      kind: "growth",
      name: family.name,
      size,
    });
    const allowed = GROWTH_FACTOR * Math.max(16, baseline);
    assert.ok(
      ratio <= allowed,
      `${family.name}: x16 input took x${ratio.toFixed(1)} time (linear scan: x${
        baseline.toFixed(1)
      }; allowed x${allowed.toFixed(0)})`,
    );
  });
}
