/**
 * Anthropic error bodies, in a failed reply or in the stream, read into
 * `BackendError`s classified for the loop's retries.
 *
 * @module
 */

import {
  backendError,
  type HttpContext,
  isRetryableStatus,
  type ProviderErrorInfo,
  redact,
} from "../_http_context.ts";
import type { BackendError } from "../backend_error.ts";
import { isRecord } from "../_tool_args.ts";

const RETRYABLE_TYPES = new Set(["rate_limit_error", "api_error", "overloaded_error"]);
const FINAL_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "billing_error",
]);

export function readAnthropicError(body: unknown): ProviderErrorInfo | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const type = typeof body.error.type === "string" ? body.error.type : undefined;
  const message = typeof body.error.message === "string" ? body.error.message : undefined;
  const retryable = type === undefined
    ? undefined
    : RETRYABLE_TYPES.has(type)
    ? true
    : FINAL_TYPES.has(type)
    ? false
    : undefined;
  return {
    ...(type !== undefined ? { providerType: type } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  };
}

const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export function streamError(http: HttpContext, body: Record<string, unknown>): BackendError {
  const info = readAnthropicError(body) ?? {};
  const status = info.providerType ? STATUS_OF_TYPE[info.providerType] : undefined;
  return backendError(
    http,
    redact(
      `Cannot call backend "${http.backend}": the stream reported an error` +
        (info.providerType ? ` (${info.providerType})` : "") + `: ${info.message ?? "no message"}`,
      http.secrets,
    ),
    {
      ...(status !== undefined ? { status } : {}),
      retryable: info.retryable ?? (status !== undefined ? isRetryableStatus(status) : true),
      ...(info.providerType !== undefined ? { providerType: info.providerType } : {}),
      cause: body,
    },
  );
}
