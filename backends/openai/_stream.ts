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
import { argumentsText, mapStop, reasoningOf, usageOf } from "./_reply.ts";

/** A tool call as its deltas have built it so far. */
interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** What the stream has said so far (choice 0 only). */
interface Completion {
  text: string;
  refusal: string;
  reasoning: string;
  finish: string | undefined;
  usage: Usage | undefined;
  model: string | undefined;
  sawChoice: boolean;
  readonly calls: PartialCall[];
  readonly byIndex: Map<number, PartialCall>;
}

type OnDelta = ((delta: ModelDelta) => void) | undefined;

/** Reassemble a streamed completion, delivering deltas as they are parsed. */
export async function readStream(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onDelta: OnDelta,
): Promise<ModelTurn> {
  const completion: Completion = {
    text: "",
    refusal: "",
    reasoning: "",
    finish: undefined,
    usage: undefined,
    model: undefined,
    sawChoice: false,
    calls: [],
    byIndex: new Map(),
  };
  const sawDone = await readJsonEvents(http, response, signal, (chunk) => {
    if (isRecord(chunk)) readChunk(http, completion, chunk, onDelta);
  }, "[DONE]");
  if (!sawDone && completion.finish === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `response was complete (no finish_reason and no [DONE])`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  if (!completion.sawChoice) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the stream had no choices`,
      { status: 200, retryable: false, providerType: "empty_choices" },
    );
  }
  return turnOf(completion);
}

function readChunk(
  http: HttpContext,
  completion: Completion,
  chunk: Record<string, unknown>,
  onDelta: OnDelta,
): void {
  if (chunk.error !== undefined && chunk.error !== null) throw errorInBody(http, chunk);
  if (typeof chunk.model === "string") completion.model = chunk.model;
  completion.usage = usageOf(chunk.usage) ?? completion.usage;
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices) {
    if (!isRecord(choice) || (typeof choice.index === "number" && choice.index !== 0)) continue;
    completion.sawChoice = true;
    readDelta(completion, isRecord(choice.delta) ? choice.delta : {}, onDelta);
    completion.finish = mapStop(choice.finish_reason) ?? completion.finish;
  }
}

function readDelta(completion: Completion, delta: Record<string, unknown>, onDelta: OnDelta): void {
  const thought = reasoningOf(delta);
  if (thought) {
    completion.reasoning += thought;
    onDelta?.({ type: "reasoning", text: thought });
  }
  if (typeof delta.content === "string" && delta.content !== "") {
    completion.text += delta.content;
    onDelta?.({ type: "text", text: delta.content });
  }
  if (typeof delta.refusal === "string" && delta.refusal !== "") {
    completion.refusal += delta.refusal;
  }
  if (!Array.isArray(delta.tool_calls)) return;
  for (const raw of delta.tool_calls) if (isRecord(raw)) readToolDelta(completion, raw, onDelta);
}

function readToolDelta(
  completion: Completion,
  raw: Record<string, unknown>,
  onDelta: OnDelta,
): void {
  const fn = isRecord(raw.function) ? raw.function : {};
  const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : undefined;
  const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : undefined;
  const argsText = argumentsText(fn.arguments);
  const call = callOf(completion, raw.index, id);
  if (call.id === "" && id !== undefined) call.id = id;
  if (call.name === "" && name !== undefined) call.name = name;
  call.args += argsText;
  onDelta?.({
    type: "tool_call",
    index: completion.calls.indexOf(call),
    ...(id !== undefined ? { id } : {}),
    ...(name !== undefined ? { name } : {}),
    argsText,
  });
}

/** The call a tool-call delta continues, or a new one it starts. */
function callOf(completion: Completion, index: unknown, id: string | undefined): PartialCall {
  const { calls, byIndex } = completion;
  if (typeof index === "number") {
    const known = byIndex.get(index);
    if (known !== undefined) return known;
  } else {
    // No index (Mistral): a new id starts a new call, otherwise continue the last.
    const last = calls.at(-1);
    if (last !== undefined && (id === undefined || last.id === "" || last.id === id)) return last;
  }
  const call: PartialCall = { id: "", name: "", args: "" };
  if (typeof index === "number") byIndex.set(index, call);
  calls.push(call);
  return call;
}

function turnOf(completion: Completion): ModelTurn {
  const { text, refusal, reasoning, finish, usage, model } = completion;
  const toolCalls = completion.calls.map((call, index) =>
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
