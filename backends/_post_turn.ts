/**
 * One model call of a fetch backend: the POST, then the reply read into a
 * turn, streamed or whole.
 *
 * @module
 */

import type { ModelDelta, ModelTurn } from "../loop/types.ts";
import { postJson, type PostOptions, readJsonBody } from "./_http.ts";
import type { HttpContext } from "./_http_context.ts";
import { replayAsDeltas } from "./_replay_as_deltas.ts";

/** How a backend reads its provider's replies, and whether this call streams. */
export interface TurnReading {
  /** Whether the request asked for a stream. */
  readonly stream: boolean;
  /** Receives the deltas; a reply that arrives whole is replayed to it. */
  readonly onDelta: ((delta: ModelDelta) => void) | undefined;
  /** Read one JSON reply. */
  readonly readReply: (http: HttpContext, json: unknown) => ModelTurn;
  /** Read an SSE stream, delivering its deltas as they are parsed. */
  readonly readStream: (
    http: HttpContext,
    response: Response,
    signal: AbortSignal,
    onDelta: ((delta: ModelDelta) => void) | undefined,
  ) => Promise<ModelTurn>;
}

/**
 * POST a model request and read the answer into a turn: as a stream when one
 * was asked for and the server sent one, else as one JSON reply (which the
 * JSON reader also reports when it is an HTML page, from a proxy or a login
 * wall).
 */
export function postTurn(
  http: HttpContext,
  post: PostOptions,
  reading: TurnReading,
): Promise<ModelTurn> {
  const { stream, onDelta } = reading;
  return postJson(http, post, async (response, signal) => {
    const type = response.headers.get("content-type") ?? "";
    if (stream && !type.includes("application/json") && !type.includes("text/html")) {
      return await reading.readStream(http, response, signal, onDelta);
    }
    const turn = reading.readReply(http, await readJsonBody(http, response));
    if (onDelta) replayAsDeltas(turn, onDelta);
    return turn;
  });
}
