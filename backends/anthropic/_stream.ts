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
import {
  emptyUsage,
  mapStop,
  mergeUsage,
  turnFromBlocks,
  usageFrom,
  type UsageParts,
} from "./_reply.ts";

type OnDelta = ((delta: ModelDelta) => void) | undefined;

/** What the stream has said so far about the message it carries. */
interface StreamedMessage {
  id: string | undefined;
  model: string | undefined;
  stopReason: string | undefined;
  /** Content blocks by their index. */
  blocks: Map<number, Block>;
  /** The JSON text streamed into each block's input. */
  rawArgs: Map<Block, string>;
  /** The `tool_use` blocks in the order they started (their delta index). */
  toolOrder: Block[];
  usage: UsageParts;
}

/** Reassemble a streamed message, delivering deltas as they are parsed. */
export async function readStream(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onDelta: OnDelta,
): Promise<ModelTurn> {
  const message: StreamedMessage = {
    id: undefined,
    model: undefined,
    stopReason: undefined,
    blocks: new Map(),
    rawArgs: new Map(),
    toolOrder: [],
    usage: emptyUsage(),
  };
  const stopped = await readJsonEvents(
    http,
    response,
    signal,
    (event) => isRecord(event) ? readEvent(http, message, event, onDelta) : undefined,
  );
  const { blocks, rawArgs, stopReason, model } = message;
  if (!stopped && stopReason === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `message was complete (no stop_reason and no message_stop)`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  const ordered = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, block]) => block);
  return turnFromBlocks(ordered, rawArgs, { stopReason, usage: usageFrom(message.usage), model });
}

/** Apply one event to the message; `true` once the message is complete. */
function readEvent(
  http: HttpContext,
  message: StreamedMessage,
  event: Record<string, unknown>,
  onDelta: OnDelta,
): boolean | undefined {
  switch (event.type) {
    case "message_start":
      startMessage(message, isRecord(event.message) ? event.message : {});
      break;
    case "content_block_start":
      if (typeof event.index === "number" && isRecord(event.content_block)) {
        startBlock(message, event.index, { ...event.content_block }, onDelta);
      }
      break;
    case "content_block_delta": {
      const block = typeof event.index === "number" ? message.blocks.get(event.index) : undefined;
      if (block && isRecord(event.delta)) applyDelta(message, block, event.delta, onDelta);
      break;
    }
    case "message_delta": {
      const delta = isRecord(event.delta) ? event.delta : {};
      message.stopReason = mapStop(delta.stop_reason) ?? message.stopReason;
      mergeUsage(message.usage, event.usage);
      break;
    }
    case "message_stop":
      return true;
    case "error":
      throw streamError(http, event);
    default:
      break; // ping, content_block_stop, future events
  }
  return undefined;
}

function startMessage(message: StreamedMessage, start: Record<string, unknown>): void {
  const id = typeof start.id === "string" ? start.id : undefined;
  if (typeof start.model === "string") message.model = start.model;
  if (message.id !== undefined && id !== message.id && message.blocks.size > 0) {
    // A new message spliced in: the earlier one was abandoned.
    message.blocks = new Map();
    message.rawArgs = new Map();
    message.toolOrder = [];
    message.usage = emptyUsage();
  }
  message.id = id;
  mergeUsage(message.usage, start.usage);
}

function startBlock(message: StreamedMessage, index: number, block: Block, onDelta: OnDelta): void {
  message.blocks.set(index, block);
  if (block.type === "tool_use") {
    message.rawArgs.set(block, "");
    message.toolOrder.push(block);
    onDelta?.({
      type: "tool_call",
      index: message.toolOrder.length - 1,
      ...(typeof block.id === "string" ? { id: block.id } : {}),
      ...(typeof block.name === "string" ? { name: block.name } : {}),
      argsText: "",
    });
  } else if (block.type === "text" && typeof block.text === "string" && block.text) {
    onDelta?.({ type: "text", text: block.text });
  }
}

function applyDelta(
  message: StreamedMessage,
  block: Block,
  delta: Record<string, unknown>,
  onDelta: OnDelta,
): void {
  switch (delta.type) {
    case "text_delta":
      if (typeof delta.text !== "string") break;
      append(block, "text", delta.text);
      if (delta.text !== "") onDelta?.({ type: "text", text: delta.text });
      break;
    case "thinking_delta":
      if (typeof delta.thinking !== "string") break;
      append(block, "thinking", delta.thinking);
      if (delta.thinking !== "") onDelta?.({ type: "reasoning", text: delta.thinking });
      break;
    case "signature_delta":
      if (typeof delta.signature === "string") append(block, "signature", delta.signature);
      break;
    case "input_json_delta": {
      const json = delta.partial_json;
      if (typeof json !== "string") break;
      message.rawArgs.set(block, (message.rawArgs.get(block) ?? "") + json);
      if (block.type !== "tool_use") break;
      onDelta?.({ type: "tool_call", index: message.toolOrder.indexOf(block), argsText: json });
      break;
    }
    default:
      break; // citations_delta and future deltas
  }
}

/** Append streamed text to one of a block's string fields. */
function append(block: Block, field: string, text: string): void {
  const current = block[field];
  block[field] = (typeof current === "string" ? current : "") + text;
}
