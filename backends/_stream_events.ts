/**
 * A provider's Server-Sent Events stream, read with the backend's size limit
 * into JSON events.
 *
 * @module
 */

import { readSse, type SseEvent, SseLimitError } from "../internal/sse.ts";
import { backendError, DEFAULT_MAX_REPLY_LENGTH, type HttpContext } from "./_http_context.ts";

/**
 * Read a streamed reply as JSON events, in order. Blank events are skipped;
 * the stream ends early at `endMarker` (OpenAI's `[DONE]`) or once `onEvent`
 * returns `true`, and whatever follows is ignored.
 *
 * @returns Whether the stream ended so, rather than by its body running out.
 * @throws {BackendError} When there is no body, an event is not JSON (or was
 *   cut off), or an event is longer than the backend's `maxReplyLength`.
 */
export async function readJsonEvents(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onEvent: (event: unknown) => boolean | void,
  endMarker?: string,
): Promise<boolean> {
  if (response.body === null) {
    throw backendError(http, `Cannot read the stream of backend "${http.backend}": no body`, {
      status: response.status,
      retryable: true,
      providerType: "invalid_stream",
    });
  }
  let ended = false;
  await readStreamEvents(http, response.body, signal, ({ data, unterminated }) => {
    if (ended) return;
    const trimmed = data.trim();
    if (trimmed === endMarker) ended = true;
    else if (trimmed !== "") {
      ended = onEvent(parseEvent(http, trimmed, unterminated === true)) === true;
    }
  });
  return ended;
}

function parseEvent(http: HttpContext, data: string, unterminated: boolean): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": ` +
        (unterminated
          ? "the stream stopped in the middle of an event"
          : `an event is not JSON: ${data.slice(0, 200)}`),
      { status: 200, retryable: true, providerType: "invalid_stream", cause: error },
    );
  }
}

/** `readSse` with its size limit reported as the backend's `maxReplyLength`. */
async function readStreamEvents(
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
