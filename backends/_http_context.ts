/**
 * What every call of a fetch backend shares (its name, its secrets, how its
 * provider's error bodies read) and the `BackendError`s built from it, with
 * the secrets redacted.
 *
 * @module
 */

import { BackendError, type BackendErrorOptions } from "./backend_error.ts";

/** What a provider error body says, once read. */
export interface ProviderErrorInfo {
  /** The provider's error type or code. */
  readonly providerType?: string;
  /** The provider's message. */
  readonly message?: string;
  /** Override of the status-based retry class. */
  readonly retryable?: boolean;
}

/** Context every call shares. */
export interface HttpContext {
  /** Backend name, for messages. */
  readonly backend: string;
  /** Strings that must never appear in messages (API keys). */
  readonly secrets: readonly string[];
  /** Read a parsed error body. */
  readonly readError: (body: unknown) => ProviderErrorInfo | undefined;
  /** Most characters a reply body or one streamed event may hold. @default DEFAULT_MAX_REPLY_LENGTH */
  readonly maxReplyLength?: number;
}

/** The default of the backends' `maxReplyLength` option: 64 Mi characters. */
export const DEFAULT_MAX_REPLY_LENGTH = 64 * 1024 * 1024;

const RETRYABLE_STATUS = new Set([408, 409, 429]);

/** Whether an HTTP status is worth retrying: 408, 409, 429 and every 5xx (529 included). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** Replace each secret in `text` by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  }
  return out;
}

/**
 * A `BackendError` whose message and every field (the cause included) have
 * the context's secrets replaced by `[redacted]`.
 */
export function backendError(
  context: HttpContext,
  message: string,
  options: BackendErrorOptions = {},
): BackendError {
  const { secrets } = context;
  return new BackendError(redact(message, secrets), {
    ...options,
    ...(options.providerType !== undefined
      ? { providerType: redact(options.providerType, secrets) }
      : {}),
    ...(options.cause !== undefined ? { cause: redactValue(options.cause, secrets) } : {}),
  });
}

/**
 * A copy of `value` with every secret replaced in every string it holds
 * (errors included), for the `cause` of an error: whatever a provider echoes
 * back must not carry the key further than the message does.
 */
function redactValue(value: unknown, secrets: readonly string[]): unknown {
  const live = secrets.filter((secret) => secret.length >= 4);
  if (live.length === 0) return value;
  const seen = new Map<object, unknown>();
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === "string") return redact(item, live);
    if (typeof item !== "object" || item === null) return item;
    if (seen.has(item)) return seen.get(item);
    if (depth > 64) return "[nested too deeply]";
    if (item instanceof Error) {
      const copy = new Error(redact(item.message, live));
      copy.name = item.name;
      copy.stack = redact(item.stack ?? "", live);
      seen.set(item, copy);
      return copy;
    }
    if (Array.isArray(item)) {
      const copy: unknown[] = [];
      seen.set(item, copy);
      for (const element of item) copy.push(walk(element, depth + 1));
      return copy;
    }
    const copy: Record<string, unknown> = {};
    seen.set(item, copy);
    for (const [key, field] of Object.entries(item)) {
      copy[redact(key, live)] = walk(field, depth + 1);
    }
    return copy;
  };
  return walk(value, 0);
}
