/**
 * How the loop retries failed model calls.
 *
 * @example Retry up to 5 times, starting at 200 ms
 * ```ts
 * import type { RetryPolicy } from "jsr:@looplet/looplet";
 * const retry: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };
 * ```
 */
export interface RetryPolicy {
  /** Total attempts, including the first. @default 3 */
  readonly attempts?: number;
  /** Delay before the first retry, doubled each time. @default 500 */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay. @default 30000 */
  readonly maxDelayMs?: number;
  /** Randomise delays by up to this fraction to spread retries. @default 0.2 */
  readonly jitter?: number;
}

/**
 * Whether an error from a backend is worth retrying.
 *
 * @param error What the backend threw.
 * @returns True for errors marked `retryable: true`, such as retryable `BackendError`s.
 * @example
 * ```ts
 * import { BackendError, isRetryable } from "jsr:@looplet/looplet";
 * isRetryable(new BackendError("overloaded", { status: 529, retryable: true })); // true
 * ```
 */
export function isRetryable(error: unknown): boolean {
  return typeof error === "object" && error !== null &&
    (error as { retryable?: unknown }).retryable === true;
}

/**
 * The delay before retry number `attempt` (1 for the first retry).
 *
 * @param attempt Which retry this is, from 1.
 * @param policy The retry policy.
 * @param error The error being retried; its `retryAfterMs` wins when set.
 * @param random Source of randomness in [0, 1). @default Math.random
 * @returns Milliseconds to wait.
 * @example
 * ```ts
 * import { retryDelay } from "jsr:@looplet/looplet";
 * retryDelay(2, { baseDelayMs: 100, jitter: 0 }, new Error("x")); // 200
 * ```
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  error: unknown,
  random: () => number = Math.random,
): number {
  const { baseDelayMs = 500, maxDelayMs = 30_000, jitter = 0.2 } = policy;
  const asked = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (typeof asked === "number" && Number.isFinite(asked) && asked >= 0) {
    return Math.min(asked, maxDelayMs);
  }
  const exponential = Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);
  return Math.round(exponential * (1 - jitter + 2 * jitter * random()));
}
