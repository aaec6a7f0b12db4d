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

/**
 * Throw a TypeError naming `what` when `value` is not plain JSON (what every
 * engine can journal and give back unchanged).
 */
export function assertJson(value: unknown, what: string, path = "result"): void {
  const problem = jsonProblem(value, path, new Set());
  if (problem !== undefined) {
    throw new TypeError(
      `${what} returned a value that is not JSON: ${problem}; return plain JSON (objects, arrays, strings, finite numbers, booleans, null)`,
    );
  }
}

function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    return Number.isFinite(value) ? undefined : `"${path}" is ${value}`;
  }
  if (value === undefined) return `"${path}" is undefined`;
  if (typeof value !== "object") return `"${path}" is a ${typeof value}`;
  if (seen.has(value)) return `"${path}" is a circular reference`;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `"${path}" is a ${value.constructor?.name ?? "class instance"}`;
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const problem = jsonProblem(value[index], `${path}[${index}]`, seen);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue; // dropped by JSON, as in a plain object literal
      const problem = jsonProblem(item, `${path}.${key}`, seen);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}
