/**
 * An Anthropic SSE stream reassembled into a `ModelTurn`, with the deltas
 * delivered as they are parsed (`input_json_delta` included).
 *
 * @module
 */

import type { ModelDelta, ModelTurn } from "../../loop/types.ts";
import { backendError, type HttpContext } from "../_http_context.ts";
import { readJsonEvents } from "../_stream_events.ts";
import { isRecord } from "../_tool_args.ts";
import type { Block } from "./_messages.ts";
import { streamError } from "./_errors.ts";
import { emptyUsage, mapStop, mergeUsage, turnFromBlocks, usageFrom } from "./_reply.ts";

/** Reassemble a streamed message, delivering deltas as they are parsed. */
export async function readStream(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onDelta: ((delta: ModelDelta) => void) | undefined,
): Promise<ModelTurn> {
  let messageId: string | undefined;
  let blocks = new Map<number, Block>();
  let rawArgs = new Map<Block, string>();
  let toolOrder: Block[] = [];
  let usage = emptyUsage();
  let stopReason: string | undefined;
  let model: string | undefined;

  const stopped = await readJsonEvents(http, response, signal, (event) => {
    if (!isRecord(event)) return;
    switch (event.type) {
      case "message_start": {
        const message = isRecord(event.message) ? event.message : {};
        const id = typeof message.id === "string" ? message.id : undefined;
        if (typeof message.model === "string") model = message.model;
        if (messageId !== undefined && id !== messageId && blocks.size > 0) {
          // A new message spliced in: the earlier one was abandoned.
          blocks = new Map();
          rawArgs = new Map();
          toolOrder = [];
          usage = emptyUsage();
        }
        messageId = id;
        mergeUsage(usage, message.usage);
        break;
      }
      case "content_block_start": {
        if (typeof event.index !== "number" || !isRecord(event.content_block)) break;
        const block: Block = { ...event.content_block };
        blocks.set(event.index, block);
        if (block.type === "tool_use") {
          rawArgs.set(block, "");
          toolOrder.push(block);
          onDelta?.({
            type: "tool_call",
            index: toolOrder.length - 1,
            ...(typeof block.id === "string" ? { id: block.id } : {}),
            ...(typeof block.name === "string" ? { name: block.name } : {}),
            argsText: "",
          });
        } else if (block.type === "text" && typeof block.text === "string" && block.text) {
          onDelta?.({ type: "text", text: block.text });
        }
        break;
      }
      case "content_block_delta": {
        const block = typeof event.index === "number" ? blocks.get(event.index) : undefined;
        const delta = isRecord(event.delta) ? event.delta : undefined;
        if (!block || !delta) break;
        applyDelta(block, delta, rawArgs, toolOrder, onDelta);
        break;
      }
      case "message_delta": {
        const delta = isRecord(event.delta) ? event.delta : {};
        stopReason = mapStop(delta.stop_reason) ?? stopReason;
        mergeUsage(usage, event.usage);
        break;
      }
      case "message_stop":
        return true;
      case "error":
        throw streamError(http, event);
      default:
        break; // ping, content_block_stop, future events
    }
  });

  if (!stopped && stopReason === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `message was complete (no stop_reason and no message_stop)`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  const ordered = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, block]) => block);
  const turn = turnFromBlocks(ordered, rawArgs, stopReason, usageFrom(usage));
  return model === undefined ? turn : { ...turn, model };
}

function applyDelta(
  block: Block,
  delta: Block,
  rawArgs: Map<Block, string>,
  toolOrder: Block[],
  onDelta: ((delta: ModelDelta) => void) | undefined,
): void {
  switch (delta.type) {
    case "text_delta":
      if (typeof delta.text === "string") {
        block.text = (typeof block.text === "string" ? block.text : "") + delta.text;
        if (delta.text !== "") onDelta?.({ type: "text", text: delta.text });
      }
      break;
    case "thinking_delta":
      if (typeof delta.thinking === "string") {
        block.thinking = (typeof block.thinking === "string" ? block.thinking : "") +
          delta.thinking;
        if (delta.thinking !== "") onDelta?.({ type: "reasoning", text: delta.thinking });
      }
      break;
    case "signature_delta":
      if (typeof delta.signature === "string") {
        block.signature = (typeof block.signature === "string" ? block.signature : "") +
          delta.signature;
      }
      break;
    case "input_json_delta":
      if (typeof delta.partial_json === "string") {
        rawArgs.set(block, (rawArgs.get(block) ?? "") + delta.partial_json);
        if (block.type === "tool_use") {
          onDelta?.({
            type: "tool_call",
            index: toolOrder.indexOf(block),
            argsText: delta.partial_json,
          });
        }
      }
      break;
    default:
      break; // citations_delta and future deltas
  }
}
