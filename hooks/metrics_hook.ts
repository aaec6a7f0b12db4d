import type { Hook } from "../loop/types.ts";

/**
 * Latency summary in milliseconds (percentiles over a bounded sample).
 *
 * @example Read tool latency percentiles
 * ```ts ignore
 * const { count, p50, p99, max } = metrics.snapshot().toolLatencyMs;
 * console.log(`${count} tool calls: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
 * ```
 */
export interface LatencySummary {
  /** Observations. */
  readonly count: number;
  /** Median. */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Largest. */
  readonly max: number;
}

/**
 * What `metricsHook().snapshot()` reports.
 *
 * @example Read the figures after a run
 * ```ts ignore
 * const metrics = metricsHook();
 * await composableLoop({ llm, tools, task, hooks: [metrics] }).complete();
 * const { steps, errors, toolCalls, inputTokens, outputTokens } = metrics.snapshot();
 * console.log(steps, errors, toolCalls, inputTokens + outputTokens);
 * ```
 */
export interface MetricsSnapshot {
  /** Steps recorded. */
  readonly steps: number;
  /** Failed steps. */
  readonly errors: number;
  /** Failed steps by error kind (`validation`, `timeout`, ...). */
  readonly errorsByKind: Readonly<Record<string, number>>;
  /** Steps per tool name. */
  readonly toolCalls: Readonly<Record<string, number>>;
  /** Model calls started. */
  readonly llmCalls: number;
  /** Model calls that failed. */
  readonly llmErrors: number;
  /** Model calls retried. */
  readonly llmRetries: number;
  /** Prompt-too-long errors seen (recovered or not). */
  readonly promptTooLong: number;
  /** Input tokens reported by the model calls. */
  readonly inputTokens: number;
  /** Output tokens reported by the model calls. */
  readonly outputTokens: number;
  /** Model call latency. */
  readonly llmLatencyMs: LatencySummary;
  /** Tool execution latency. */
  readonly toolLatencyMs: LatencySummary;
}

/**
 * The metrics hook, with its figures.
 *
 * @example Snapshot, then start over
 * ```ts ignore
 * const metrics: MetricsHook = metricsHook();
 * await composableLoop({ llm, tools, task, hooks: [metrics] }).complete();
 * console.log(metrics.snapshot().errorsByKind);
 * metrics.reset();
 * ```
 */
export interface MetricsHook extends Hook {
  /** The figures so far (across every run the hook observed). */
  snapshot(): MetricsSnapshot;
  /** Start counting from zero. */
  reset(): void;
}

const SAMPLE = 2048;

/** A bounded uniform sample (reservoir), so memory stays flat however long the run. */
class Reservoir {
  readonly values: number[] = [];
  count = 0;
  max = 0;
  #seed = 0x2545f491;

  add(value: number): void {
    this.count++;
    if (value > this.max) this.max = value;
    if (this.values.length < SAMPLE) {
      this.values.push(value);
      return;
    }
    this.#seed = (Math.imul(this.#seed, 1103515245) + 12345) >>> 0;
    const slot = this.#seed % this.count;
    if (slot < SAMPLE) this.values[slot] = value;
  }

  summary(): LatencySummary {
    const sorted = [...this.values].sort((a, b) => a - b);
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    return { count: this.count, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: this.max };
  }
}

/**
 * Count what runs do: steps, errors by kind, calls per tool, model calls,
 * retries, tokens, and latency percentiles of model and tool calls. Memory
 * stays flat: latencies are kept as a bounded sample.
 *
 * @returns The hook, with `snapshot()` and `reset()`.
 * @example
 * ```ts ignore
 * const metrics = metricsHook();
 * await composableLoop({ llm, tools, task, hooks: [metrics] }).complete();
 * console.log(metrics.snapshot().llmLatencyMs.p90);
 * ```
 */
export function metricsHook(): MetricsHook {
  let counters = fresh();
  return {
    name: "metrics",
    events: ["model_call_start", "model_call_end", "model_retry", "prompt_too_long", "step"],
    onEvent(event) {
      switch (event.type) {
        case "model_call_start":
          counters.llmCalls++;
          break;
        case "model_call_end":
          counters.llmLatency.add(event.durationMs);
          if (event.error !== undefined) counters.llmErrors++;
          if (event.usage !== undefined) {
            counters.inputTokens += event.usage.inputTokens;
            counters.outputTokens += event.usage.outputTokens;
          }
          break;
        case "model_retry":
          counters.llmRetries++;
          break;
        case "prompt_too_long":
          counters.promptTooLong++;
          break;
        case "step": {
          const { call, result } = event.step;
          if (result.awaitingApproval !== undefined) break;
          counters.steps++;
          counters.toolCalls[call.tool] = (counters.toolCalls[call.tool] ?? 0) + 1;
          if (result.durationMs > 0) counters.toolLatency.add(result.durationMs);
          if (result.error !== undefined) {
            counters.errors++;
            const kind = result.errorKind ?? "execution";
            counters.errorsByKind[kind] = (counters.errorsByKind[kind] ?? 0) + 1;
          }
        }
      }
    },
    snapshot() {
      const { llmLatency, toolLatency, ...rest } = counters;
      return {
        ...rest,
        errorsByKind: { ...rest.errorsByKind },
        toolCalls: { ...rest.toolCalls },
        llmLatencyMs: llmLatency.summary(),
        toolLatencyMs: toolLatency.summary(),
      };
    },
    reset() {
      counters = fresh();
    },
  };
}

function fresh() {
  return {
    steps: 0,
    errors: 0,
    errorsByKind: {} as Record<string, number>,
    toolCalls: {} as Record<string, number>,
    llmCalls: 0,
    llmErrors: 0,
    llmRetries: 0,
    promptTooLong: 0,
    inputTokens: 0,
    outputTokens: 0,
    llmLatency: new Reservoir(),
    toolLatency: new Reservoir(),
  };
}
