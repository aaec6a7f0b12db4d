/**
 * Errors journaled as values (private to durable/): a step that failed is
 * journaled as `{ ok: false, error }`, so the engine never retries it and
 * the loop's own policy (model retries, failed tool steps) stays in charge.
 *
 * @module
 */
import { BackendError } from "../backends/backend_error.ts";

/** An error as plain JSON, with the fields the loop reads. */
export interface JournaledError {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;
  readonly providerType?: string;
  readonly issues?: unknown;
  readonly cause?: JournaledError;
}

/** A step's outcome as plain JSON. */
export type Journaled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: JournaledError };

/** Run `fn` and capture what it returned or threw. */
export async function capture<T>(fn: () => Promise<T>): Promise<Journaled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: errorToJson(error, 0) };
  }
}

/** The value of a journaled outcome, or the error rebuilt and thrown. */
export function release<T>(journaled: Journaled<T>): T {
  if (journaled.ok) return journaled.value;
  throw errorFromJson(journaled.error);
}

function errorToJson(error: unknown, depth: number): JournaledError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const fields = error as Error & Partial<Record<keyof JournaledError, unknown>>;
  const json: { -readonly [K in keyof JournaledError]: JournaledError[K] } = {
    name: error.name,
    message: error.message,
  };
  if (typeof fields.status === "number") json.status = fields.status;
  if (typeof fields.retryable === "boolean") json.retryable = fields.retryable;
  if (typeof fields.retryAfterMs === "number") json.retryAfterMs = fields.retryAfterMs;
  if (typeof fields.providerType === "string") json.providerType = fields.providerType;
  if (Array.isArray(fields.issues)) json.issues = JSON.parse(JSON.stringify(fields.issues));
  if (error.cause !== undefined && depth < 3) json.cause = errorToJson(error.cause, depth + 1);
  return json;
}

function errorFromJson(json: JournaledError): Error {
  const cause = json.cause === undefined ? undefined : errorFromJson(json.cause);
  const error = json.name === "BackendError"
    ? new BackendError(json.message, {
      status: json.status,
      retryable: json.retryable,
      retryAfterMs: json.retryAfterMs,
      providerType: json.providerType,
      cause,
    })
    : new Error(json.message, cause === undefined ? undefined : { cause });
  error.name = json.name;
  const extra = error as unknown as Record<string, unknown>;
  if (json.name !== "BackendError") {
    if (json.status !== undefined) extra.status = json.status;
    if (json.retryable !== undefined) extra.retryable = json.retryable;
    if (json.retryAfterMs !== undefined) extra.retryAfterMs = json.retryAfterMs;
  }
  if (json.issues !== undefined) extra.issues = json.issues;
  return error;
}
