import type { Backend, GenerateOptions, ModelRequest, ModelTurn } from "../loop/types.ts";
import { isRetryable, retryDelay, type RetryPolicy } from "../loop/retry_policy.ts";
import { abortableDelay } from "../loop/abortable_delay.ts";

/**
 * Options of `withRetry`: a retry policy plus injectable waiting.
 *
 * @example Retry five times without really waiting (in a test)
 * ```ts ignore
 * import { withRetry } from "jsr:@looplet/looplet/backends";
 * const llm = withRetry(flaky, {
 *   attempts: 5,
 *   baseDelayMs: 200,
 *   maxDelayMs: 5000,
 *   delay: () => Promise.resolve(),
 *   random: () => 0.5,
 * });
 * ```
 */
export interface WithRetryOptions extends RetryPolicy {
  /** Wait between attempts. @default abortableDelay */
  readonly delay?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of randomness for jitter. @default Math.random */
  readonly random?: () => number;
}

/**
 * Retry a backend's retryable failures by itself, for use outside the loop
 * (the loop already retries, so do not wrap backends you pass to it). Uses the
 * loop's backoff: exponential with jitter, `retryAfterMs` from the error wins.
 *
 * @param backend The backend to wrap.
 * @param options Attempts, delays and injectable waiting.
 * @returns The retrying backend.
 * @throws {RangeError} When `attempts` is not a positive integer.
 * @example Retry a flaky backend outside the loop
 * ```ts
 * import { BackendError, ScriptedBackend } from "jsr:@looplet/looplet";
 * import { withRetry } from "jsr:@looplet/looplet/backends";
 * const flaky = new ScriptedBackend([new BackendError("busy", { status: 503, retryable: true }), "ok"]);
 * const llm = withRetry(flaky, { attempts: 2, baseDelayMs: 1 });
 * const turn = await llm.generate({ messages: [], systemPrompt: "", tools: [] }); // "ok"
 * ```
 */
export function withRetry(backend: Backend, options: WithRetryOptions = {}): Backend {
  const { attempts = 3, delay = abortableDelay, random = Math.random } = options;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(
      `Cannot wrap backend "${backend?.name}": 'attempts' must be a positive integer, got ${attempts}`,
    );
  }
  return {
    name: backend.name,
    capabilities: backend.capabilities,
    async generate(request: ModelRequest, generateOptions?: GenerateOptions): Promise<ModelTurn> {
      for (let attempt = 1;; attempt++) {
        try {
          return await backend.generate(request, generateOptions);
        } catch (error) {
          if (generateOptions?.signal?.aborted || !isRetryable(error) || attempt >= attempts) {
            throw error;
          }
          await delay(retryDelay(attempt, options, error, random), generateOptions?.signal);
        }
      }
    },
  };
}
