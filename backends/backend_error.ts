/**
 * Options of `BackendError`.
 *
 * @example Report a rate limit with the provider's retry delay
 * ```ts
 * import { BackendError } from "jsr:@looplet/looplet";
 * const error = new BackendError('Cannot call backend "openai": status is 429', {
 *   status: 429,
 *   retryable: true,
 *   providerType: "rate_limit_exceeded",
 *   retryAfterMs: 2000,
 * });
 * ```
 */
export interface BackendErrorOptions {
  /** HTTP status, when the provider answered. */
  readonly status?: number;
  /** True when trying again may succeed (rate limits, overload, network). @default false */
  readonly retryable?: boolean;
  /** The provider's error type or code, for example `rate_limit_error`. */
  readonly providerType?: string;
  /** How long the provider asked us to wait before retrying, in milliseconds. */
  readonly retryAfterMs?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A provider or network failure. The loop retries it when `retryable` is
 * true and ends the run with `llm_error` otherwise.
 *
 * @example Throw a retryable error from a custom backend
 * ```ts
 * import { BackendError } from "jsr:@looplet/looplet";
 * const error = new BackendError('Cannot call backend "local": status is 503', {
 *   status: 503,
 *   retryable: true,
 * });
 * ```
 */
export class BackendError extends Error {
  /** HTTP status, when the provider answered. */
  readonly status: number | undefined;
  /** True when trying again may succeed. */
  readonly retryable: boolean;
  /** The provider's error type or code. */
  readonly providerType: string | undefined;
  /** How long the provider asked us to wait, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  /**
   * Make the error.
   *
   * @param message What failed, for example `Cannot call backend "openai": status is 429`.
   * @param options Status, retryability, provider type, retry delay and cause.
   */
  constructor(message: string, options: BackendErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "BackendError";
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.providerType = options.providerType;
    this.retryAfterMs = options.retryAfterMs;
  }
}
