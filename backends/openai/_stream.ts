/**
 * A Chat Completions SSE stream reassembled into a `ModelTurn`, with the
 * deltas delivered as they are parsed (tool-call arguments included).
 *
 * @module
 */

import type { ModelDelta, ModelTurn, Usage } from "../../loop/types.ts";
import { backendError, type HttpContext } from "../_http_context.ts";
import { readJsonEvents } from "../_stream_events.ts";
import { isRecord, toolCallFromText } from "../_tool_args.ts";
import { errorInBody } from "./_errors.ts";
import { mapStop, reasoningOf, usageOf } from "./_reply.ts";

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** Reassemble a streamed completion, delivering deltas as they are parsed. */
export async function readStream(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onDelta: ((delta: ModelDelta) => void) | undefined,
): Promise<ModelTurn> {
  let text = "";
  let refusal = "";
  let reasoning = "";
  let finish: string | undefined;
  let usage: Usage | undefined;
  let model: string | undefined;
  let sawChoice = false;
  const calls: PartialCall[] = [];
  const byIndex = new Map<number, PartialCall>();

  const toolDelta = (raw: Record<string, unknown>) => {
    const fn = isRecord(raw.function) ? raw.function : {};
    const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : undefined;
    const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : undefined;
    const argsText = typeof fn.arguments === "string"
      ? fn.arguments
      : isRecord(fn.arguments)
      ? JSON.stringify(fn.arguments)
      : "";
    let call: PartialCall | undefined;
    if (typeof raw.index === "number") {
      call = byIndex.get(raw.index);
      if (call === undefined) {
        call = { id: id ?? "", name: name ?? "", args: "" };
        byIndex.set(raw.index, call);
        calls.push(call);
      }
    } else {
      // No index (Mistral): a new id starts a new call, otherwise continue the last.
      const last = calls.at(-1);
      if (last === undefined || (id !== undefined && last.id !== "" && last.id !== id)) {
        call = { id: id ?? "", name: name ?? "", args: "" };
        calls.push(call);
      } else {
        call = last;
      }
    }
    if (call.id === "" && id !== undefined) call.id = id;
    if (call.name === "" && name !== undefined) call.name = name;
    call.args += argsText;
    onDelta?.({
      type: "tool_call",
      index: calls.indexOf(call),
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
      argsText,
    });
  };

  const sawDone = await readJsonEvents(http, response, signal, (chunk) => {
    if (!isRecord(chunk)) return;
    if (chunk.error !== undefined && chunk.error !== null) throw errorInBody(http, chunk);
    if (typeof chunk.model === "string") model = chunk.model;
    const chunkUsage = usageOf(chunk.usage);
    if (chunkUsage) usage = chunkUsage;
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      if (!isRecord(choice) || (typeof choice.index === "number" && choice.index !== 0)) continue;
      sawChoice = true;
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const thought = reasoningOf(delta);
      if (thought) {
        reasoning += thought;
        onDelta?.({ type: "reasoning", text: thought });
      }
      if (typeof delta.content === "string" && delta.content !== "") {
        text += delta.content;
        onDelta?.({ type: "text", text: delta.content });
      }
      if (typeof delta.refusal === "string" && delta.refusal !== "") refusal += delta.refusal;
      if (Array.isArray(delta.tool_calls)) {
        for (const raw of delta.tool_calls) if (isRecord(raw)) toolDelta(raw);
      }
      const reason = mapStop(choice.finish_reason);
      if (reason) finish = reason;
    }
  }, "[DONE]");

  if (!sawDone && finish === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `response was complete (no finish_reason and no [DONE])`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  if (!sawChoice) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the stream had no choices`,
      { status: 200, retryable: false, providerType: "empty_choices" },
    );
  }
  const toolCalls = calls.map((call, index) =>
    toolCallFromText(call.id || `call_${index + 1}`, call.name, call.args)
  );
  const stopReason = refusal !== "" ? "refusal" : finish;
  return {
    text: text === "" && refusal !== "" ? refusal : text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(model === undefined ? {} : { model }),
  };
}
