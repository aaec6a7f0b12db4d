/**
 * OpenAI-style error bodies (`{ error: { code, type, message } }`, or a bare
 * string), in a failed reply or inside a 200 reply or stream chunk, read into
 * `BackendError`s classified for the loop's retries.
 *
 * @module
 */

import {
  backendError,
  type HttpContext,
  type ProviderErrorInfo,
  redact,
} from "../_http_context.ts";
import type { BackendError } from "../backend_error.ts";
import { isRecord } from "../_tool_args.ts";

export function readOpenAIError(body: unknown): ProviderErrorInfo | undefined {
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === "string") return { message: error };
  if (!isRecord(error)) return undefined;
  const code = typeof error.code === "string" ? error.code : undefined;
  const type = typeof error.type === "string" ? error.type : undefined;
  const providerType = code ?? type ??
    (typeof error.code === "number" ? String(error.code) : undefined);
  let message = typeof error.message === "string" ? error.message : undefined;
  const metadata = error.metadata;
  if (isRecord(metadata) && typeof metadata.raw === "string") {
    message = `${message ?? "error"} (${metadata.raw})`;
  }
  // A spent quota is not cured by waiting.
  const retryable = code === "insufficient_quota" || type === "insufficient_quota"
    ? false
    : undefined;
  return {
    ...(providerType !== undefined ? { providerType } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  };
}

export function errorInBody(http: HttpContext, body: Record<string, unknown>): BackendError {
  const info = readOpenAIError(body) ?? {};
  const error = body.error as Record<string, unknown>;
  const status = typeof error?.code === "number" ? error.code : undefined;
  const retryable = info.retryable ??
    (status !== undefined ? status === 408 || status === 429 || status >= 500 : true);
  return backendError(
    http,
    redact(
      `Cannot call backend "${http.backend}": the reply is an error` +
        (info.providerType ? ` (${info.providerType})` : "") +
        `: ${info.message ?? JSON.stringify(body.error).slice(0, 300)}`,
      http.secrets,
    ),
    {
      ...(status !== undefined ? { status } : {}),
      retryable,
      ...(info.providerType !== undefined ? { providerType: info.providerType } : {}),
      cause: body,
    },
  );
}
