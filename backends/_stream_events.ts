/**
 * A provider's Server-Sent Events stream, read with the backend's size limit.
 *
 * @module
 */

import { readSse, type SseEvent, SseLimitError } from "../internal/sse.ts";
import { backendError, DEFAULT_MAX_REPLY_LENGTH, type HttpContext } from "./_http_context.ts";

/** `readSse` with its size limit reported as the backend's `maxReplyLength`. */
export async function readStreamEvents(
  http: HttpContext,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const limit = http.maxReplyLength ?? DEFAULT_MAX_REPLY_LENGTH;
  try {
    await readSse(body, onEvent, signal, { maxEventLength: limit });
  } catch (error) {
    if (!(error instanceof SseLimitError)) throw error;
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": an event is longer than ${limit} ` +
        `characters; raise 'maxReplyLength' if such replies are expected`,
      { status: 200, retryable: false, providerType: "reply_too_large" },
    );
  }
}
