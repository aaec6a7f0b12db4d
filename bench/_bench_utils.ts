/**
 * Helpers shared by the benchmarks (private to bench/).
 *
 * @module
 */
import type { Backend, ModelTurn, Usage } from "../mod.ts";

/**
 * A backend that calls `tool` (with `{ i }`) n-1 times, then `done`; replies
 * are built on the fly so a long run needs no script in memory.
 */
export function countingBackend(n: number, tool: string, usage?: Usage): Backend {
  let calls = 0;
  return {
    name: "bench",
    capabilities: { nativeTools: true },
    generate(): Promise<ModelTurn> {
      calls++;
      const toolCalls = calls < n
        ? [{ id: `c${calls}`, name: tool, args: { i: calls } }]
        : [{ id: `c${calls}`, name: "done", args: { answer: "ok" } }];
      return Promise.resolve({ text: "", toolCalls, ...(usage ? { usage } : {}) });
    },
  };
}

/**
 * The sample at quantile `q` (0: the fastest, 0.5: the median) of unsorted
 * samples; for an even count, the median is the upper middle sample.
 */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  if (value === undefined) throw new RangeError("Cannot take a quantile of no samples");
  return value;
}

/** The median of unsorted samples (the upper middle one for an even count). */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Current RSS in MB. */
export function rssMb(): number {
  return Deno.memoryUsage().rss / 1024 / 1024;
}

/** The process's peak RSS in MB (VmHWM on Linux; current RSS elsewhere). */
export function peakRssMb(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1]);
    if (kb > 0) return kb / 1024;
  } catch { /* not Linux */ }
  return rssMb();
}
