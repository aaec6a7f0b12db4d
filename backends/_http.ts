/**
 * One POST of a fetch backend: a per-request timeout and cancellation, the
 * reply read within its size limit, failed responses classified into
 * `BackendError`s (with `Retry-After`), network failures named.
 *
 * @module
 */

import { BackendError } from "./backend_error.ts";
import {
  backendError,
  DEFAULT_MAX_REPLY_LENGTH,
  type HttpContext,
  isRetryableStatus,
  type ProviderErrorInfo,
  redact,
} from "./_http_context.ts";

/** A `fetch`-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** An error body is only quoted (500 characters at most): reading more than this is pointless. */
const ERROR_BODY_LIMIT = 1024 * 1024;

/**
 * The body as text, failing with a `BackendError` that names the limit once
 * it holds more than `limit` characters (the rest is not read).
 */
async function readLimitedText(
  context: HttpContext,
  response: Response,
  limit: number = context.maxReplyLength ?? DEFAULT_MAX_REPLY_LENGTH,
): Promise<string> {
  if (response.body === null) return "";
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let length = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      length += text.length;
      if (length > limit) {
        await reader.cancel().catch(() => {});
        throw new BackendError(
          `Cannot read the reply of backend "${context.backend}": it is longer than ${limit} ` +
            `characters; raise 'maxReplyLength' if such replies are expected`,
          { status: response.status, retryable: false, providerType: "reply_too_large" },
        );
      }
      parts.push(text);
    }
    parts.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
  return parts.join("");
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, else
 * `Retry-After` as seconds or as an HTTP date.
 */
function retryAfterFromHeaders(
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function truncate(text: string, max = 500): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** How an HTML page given instead of JSON is described, or undefined when `text` is not HTML. */
function htmlSummary(text: string): string | undefined {
  const head = text.slice(0, 512).trimStart().toLowerCase();
  if (!head.startsWith("<!doctype html") && !head.startsWith("<html") && !head.includes("<body")) {
    return undefined;
  }
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.trim();
  const visible = text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, " ")
    .replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  return `the server answered with an HTML page instead of JSON` +
    (title ? ` (title "${truncate(title, 120)}")` : visible ? `: ${truncate(visible, 200)}` : "");
}

/**
 * Build a `BackendError` from a failed HTTP response (its body is consumed).
 */
async function errorFromResponse(
  context: HttpContext,
  response: Response,
): Promise<BackendError> {
  let text = "";
  try {
    text = await readLimitedText(context, response, ERROR_BODY_LIMIT);
  } catch (error) {
    text = `(the error body could not be read: ${(error as Error).message})`;
  }
  let info: ProviderErrorInfo | undefined;
  let detail: string;
  try {
    const body = JSON.parse(text);
    info = context.readError(body);
    detail = info?.message ?? truncate(text);
  } catch {
    detail = htmlSummary(text) ?? (text.trim() === "" ? "empty body" : truncate(text.trim()));
  }
  const retryable = info?.retryable ?? isRetryableStatus(response.status);
  const retryAfterMs = retryAfterFromHeaders(response.headers);
  const type = info?.providerType;
  const message = `Cannot call backend "${context.backend}": status is ${response.status}` +
    (type ? ` (${type})` : "") + `: ${detail}`;
  return backendError(context, message, {
    status: response.status,
    retryable,
    ...(type !== undefined ? { providerType: type } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    cause: { status: response.status, body: redact(truncate(text, 4000), context.secrets) },
  });
}

/** Options of one POST. */
export interface PostOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly fetch: FetchLike;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * POST a JSON body and hand the successful response to `read`, all under one
 * signal that aborts on the caller's cancellation or on the timeout.
 * Network failures and the timeout become retryable `BackendError`s; the
 * caller's cancellation rethrows the signal's reason.
 */
export async function postJson<T>(
  context: HttpContext,
  options: PostOptions,
  read: (response: Response, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, timeoutMs } = options;
  signal?.throwIfAborted();
  const timeout = new AbortController();
  const timer = timeoutMs !== undefined && timeoutMs > 0
    ? setTimeout(
      () => timeout.abort(new DOMException("The request timed out", "TimeoutError")),
      timeoutMs,
    )
    : undefined;
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    let response: Response;
    try {
      response = await options.fetch(options.url, {
        method: "POST",
        headers: options.headers,
        body: JSON.stringify(options.body),
        signal: combined,
      });
    } catch (error) {
      throw networkError(context, options.url, error, combined);
    }
    if (!response.ok) throw await errorFromResponse(context, response);
    try {
      return await read(response, combined);
    } catch (error) {
      if (error instanceof BackendError) throw error;
      throw networkError(context, options.url, error, combined);
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.signal.aborted && !(error instanceof BackendError && error.retryable)) {
      throw new BackendError(
        `Cannot call backend "${context.backend}": no complete response within ${timeoutMs} ms; ` +
          `raise 'timeoutMs' if the model needs longer`,
        { retryable: true, providerType: "timeout", cause: error },
      );
    }
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function networkError(
  context: HttpContext,
  url: string,
  error: unknown,
  signal: AbortSignal,
): unknown {
  if (signal.aborted) return error; // sorted out by the caller
  if (!(error instanceof TypeError) && !(error instanceof DOMException)) {
    // Not a transport failure (for example an onDelta callback that threw).
    return error;
  }
  const host = safeOrigin(url);
  return backendError(
    context,
    `Cannot reach backend "${context.backend}" at ${host}: ${error.message}; ` +
      `check the base URL and that the server is running`,
    { retryable: true, providerType: "network", cause: error },
  );
}

function safeOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Parse a JSON body, mapping a body that is not JSON to a clear error. */
export async function readJsonBody(context: HttpContext, response: Response): Promise<unknown> {
  const text = await readLimitedText(context, response);
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = htmlSummary(text) ??
      (text.trim() === "" ? "the body was empty" : `the body is not JSON: ${truncate(text, 200)}`);
    throw backendError(
      context,
      `Cannot read the reply of backend "${context.backend}": ${detail}`,
      { status: response.status, retryable: true, providerType: "invalid_response", cause: error },
    );
  }
}
