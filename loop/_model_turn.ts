/**
 * One model turn: `prePrompt` context, the model call with retries and
 * prompt-too-long recovery, and replies with no readable tool call (private
 * to the loop).
 *
 * @module
 */
import { abortableDelay } from "./abortable_delay.ts";
import { isPromptTooLong } from "./prompt_too_long.ts";
import { isRetryable, retryDelay } from "./retry_policy.ts";
import type { Step } from "./step.ts";
import type {
  LoopState,
  Message,
  ModelDelta,
  ModelRequest,
  ModelTurn,
  ToolCallRequest,
} from "./types.ts";
import { addUsage, ZERO_USAGE } from "./usage.ts";
import { type RunConfig, type RunControl, stepCount } from "./_options.ts";
import { postDispatch, record } from "./_queue.ts";

/** Run `prePrompt` hooks; returns this turn's injected context message, if any. */
export async function promptContext(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
): Promise<Message | undefined> {
  if (!config.hooks.has("prePrompt")) return undefined;
  const injected: string[] = [];
  await config.hooks.decide("prePrompt", { state, signal: control.signal, turn }, (decision) => {
    if (decision.messages !== undefined) state.transcript = [...decision.messages];
    if (decision.inject !== undefined) injected.push(decision.inject);
  });
  return injected.length === 0 ? undefined : { role: "user", content: injected.join("\n\n") };
}

/** Ask `onPromptTooLong` hooks for a smaller transcript; true when one gave it. */
async function recoverPromptTooLong(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  attempt: number,
  error: Error,
): Promise<boolean> {
  let recovered = false;
  await config.hooks.decide(
    "onPromptTooLong",
    () => ({ state, signal: control.signal, turn, attempt, error, messages: state.transcript }),
    (decision) => {
      if (decision.messages === undefined) return false;
      state.transcript = [...decision.messages];
      recovered = true;
      return true;
    },
  );
  await config.hooks.emit({
    type: "prompt_too_long",
    turn,
    attempt,
    error: error.message,
    recovered,
  });
  return recovered;
}

export function uniqueIds(
  calls: readonly ToolCallRequest[],
  turn: number,
): readonly ToolCallRequest[] {
  const [only] = calls;
  if (calls.length === 1 && typeof only?.id === "string" && only.id !== "") return calls;
  const seen = new Set<string>();
  return calls.map((call, index) => {
    let id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${turn}_${index + 1}`;
    if (seen.has(id)) id = `${id}_${index + 1}`;
    seen.add(id);
    return id === call.id ? call : { ...call, id };
  });
}

// ---------------------------------------------------------------------------
// Model call with retries
// ---------------------------------------------------------------------------

/**
 * The messages of each request. Without injected context they are the
 * transcript itself. With it, they are one array per transcript array: the
 * transcript, then the injected message. From turn to turn that array only
 * loses its last (injected) message and grows, so a turn costs the messages
 * that changed, not the history. A new transcript array (compaction, a
 * recovered prompt) gets a new request array.
 */
export class RequestMessages {
  #transcript: readonly Message[] | undefined;
  #messages: Message[] = [];
  /** How many transcript messages come before the injected one in `#messages`. */
  #held = 0;

  /** The messages of a request over `transcript`, with `injected` last when given. */
  of(transcript: readonly Message[], injected: Message | undefined): readonly Message[] {
    if (injected === undefined) return transcript;
    const held = this.#held;
    const messages = this.#messages;
    if (
      transcript === this.#transcript && transcript.length >= held &&
      transcript[held - 1] === messages[held - 1]
    ) {
      messages.length = held;
      for (let index = held; index < transcript.length; index++) messages.push(transcript[index]!);
      messages.push(injected);
    } else {
      this.#transcript = transcript;
      this.#messages = [...transcript, injected];
    }
    this.#held = transcript.length;
    return this.#messages;
  }
}

export async function callModel(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  prompt: { readonly injected: Message | undefined; readonly messages: RequestMessages },
): Promise<ModelTurn | undefined> {
  const { attempts = 3 } = config.retry;
  let recoveries = 0;
  for (let attempt = 1;; attempt++) {
    const request: ModelRequest = {
      ...config.request,
      messages: prompt.messages.of(state.transcript, prompt.injected),
    };
    const { name, model } = config.llm;
    await config.hooks.emit({
      type: "model_call_start",
      turn,
      attempt,
      backend: model === undefined ? { name } : { name, model },
    });
    let hookFailure: Error | undefined;
    const onDelta = config.hooks.observes("model_delta")
      ? (delta: ModelDelta) => {
        hookFailure ??= config.hooks.emitNow({ type: "model_delta", turn, delta });
      }
      : undefined;
    const started = config.hooks.observes("model_call_end") ? performance.now() : 0;
    state.modelCalls++;
    try {
      const reply = checkReply(
        await config.llm.generate(request, {
          signal: control.signal,
          ...(onDelta ? { onDelta } : {}),
        }),
        config.llm.name,
      );
      if (hookFailure !== undefined) throw hookFailure;
      state.usage = addUsage(state.usage, reply.usage);
      await config.hooks.emit({
        type: "model_call_end",
        turn,
        durationMs: performance.now() - started,
        ...(reply.usage ? { usage: reply.usage } : {}),
        ...(reply.stopReason === undefined ? {} : { stopReason: reply.stopReason }),
        ...(reply.model === undefined ? {} : { model: reply.model }),
      });
      return reply;
    } catch (error) {
      if (error === hookFailure) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      await config.hooks.emit({
        type: "model_call_end",
        turn,
        durationMs: performance.now() - started,
        error: failure.message,
        errorType: failure.name,
      });
      if (control.signal.aborted) {
        control.stopReason = "cancelled";
        return undefined;
      }
      if (
        isPromptTooLong(error) && recoveries < config.promptTooLongRecoveries &&
        await recoverPromptTooLong(config, state, control, turn, ++recoveries, failure)
      ) {
        attempt--; // a recovered prompt is a new prompt, not a retry of the same one
        continue;
      }
      if (!isRetryable(error) || attempt >= attempts) {
        control.stopReason = "llm_error";
        control.error = failure;
        return undefined;
      }
      const delayMs = retryDelay(attempt, config.retry, error);
      await config.hooks.emit({
        type: "model_retry",
        turn,
        attempt,
        delayMs,
        error: failure.message,
      });
      try {
        await abortableDelay(delayMs, control.signal);
      } catch {
        control.stopReason = "cancelled";
        return undefined;
      }
    }
  }
}

function checkReply(reply: unknown, backend: string): ModelTurn {
  const turn = reply as ModelTurn | undefined;
  if (typeof turn !== "object" || turn === null || typeof turn.text !== "string") {
    throw new TypeError(
      `Backend "${backend}" returned an invalid turn: expected { text, toolCalls? }`,
    );
  }
  if (turn.toolCalls !== undefined && !Array.isArray(turn.toolCalls)) {
    throw new TypeError(
      `Backend "${backend}" returned an invalid turn: 'toolCalls' must be an array`,
    );
  }
  return turn;
}

// ---------------------------------------------------------------------------
// Parse failures
// ---------------------------------------------------------------------------

export async function parseFailureStep(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  reply: ModelTurn,
): Promise<Step> {
  state.parseFailures++;
  const empty = reply.text.trim() === "";
  const error = empty
    ? "The reply was empty: it had no text and no tool call"
    : "The reply had no tool call that could be read";
  const call: ToolCallRequest = { id: `parse_${turn}`, name: "__parse_error__", args: {} };
  const started = performance.now();
  const result = await postDispatch(config, state, control, call, stepCount(state) + 1, turn, {
    data: null,
    error,
    errorKind: "parse",
    durationMs: 0,
  });
  const step = await record(config, state, {
    number: stepCount(state) + 1,
    turn,
    call: { tool: call.name, args: {}, id: call.id, reasoning: reply.text.slice(0, 200) },
    result,
    usage: reply.usage ?? ZERO_USAGE,
    durationMs: performance.now() - started,
  });
  state.context.push(
    `${error}. Reply with a tool call${
      config.llm.capabilities.nativeTools ? "" : ' as JSON: {"tool": "<name>", "args": {...}}'
    }. Call "${config.doneTool}" with your answer when the task is complete.`,
  );
  return step;
}
