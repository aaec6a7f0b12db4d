import {
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { renderTask } from "../../loop/prompt.ts";
import type { Hook, StepRecord, Usage } from "../../loop/types.ts";

/**
 * An OpenTelemetry `Tracer` from `@opentelemetry/api` (any version 1.x), as
 * `otelHook` uses it; `trace.getTracer(name)` and SDK tracers satisfy it.
 *
 * @example Pass an SDK tracer
 * ```ts ignore
 * import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
 * const processor = new SimpleSpanProcessor(exporter);
 * const provider = new BasicTracerProvider({ spanProcessors: [processor] });
 * const tracer: OtelTracer = provider.getTracer("my-agent");
 * const hook = otelHook({ tracer });
 * ```
 */
export interface OtelTracer {
  /** Start a span (see `Tracer.startSpan` in `@opentelemetry/api`). */
  startSpan(name: string, options?: unknown, context?: unknown): unknown;
}

/**
 * Options of `otelHook`.
 *
 * @example Record redacted arguments
 * ```ts ignore
 * import { trace } from "@opentelemetry/api";
 * const hook = otelHook({
 *   tracer: trace.getTracer("my-agent"),
 *   redact: redactSecrets(),
 *   recordArgs: true,
 * });
 * ```
 */
export interface OtelHookOptions {
  /** The tracer. @default trace.getTracer("looplet") (Deno's built-in exporter when OTEL_DENO=true) */
  readonly tracer?: OtelTracer;
  /** The agent's name: `gen_ai.agent.name` and the run span's name `invoke_agent {agent}`. @default "looplet" */
  readonly agent?: string;
  /**
   * `gen_ai.provider.name` (`openai`, `anthropic`, `aws.bedrock`, …).
   * @default the backend's `name` (`anthropic`; `openai-compatible` unless you name it, e.g. `name: "openai"`)
   */
  readonly provider?: string;
  /** Applied to every text attribute (task, arguments, errors) before it is recorded. @default identity */
  readonly redact?: (text: string) => string;
  /** Record tool arguments as an attribute (redacted, cut to 1000 characters). @default false */
  readonly recordArgs?: boolean;
}

const TEXT_LIMIT = 1000;

/**
 * Trace runs with OpenTelemetry by the GenAI semantic conventions: an
 * `invoke_agent {agent}` span per run, and under it a `chat {model}` span per
 * model call and an `execute_tool {tool}` span per step, with
 * `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
 * `gen_ai.response.model`, `gen_ai.response.finish_reasons`, `gen_ai.usage.*`
 * (input, output, cache read and cache creation tokens) and `error.type` on
 * failures. Spans go to the tracer you pass, or to the global one, which
 * Deno's built-in OTel exporter provides when `OTEL_DENO=true`. Use one hook
 * per concurrent run.
 *
 * @param options Tracer, agent and provider names, redaction, argument recording.
 * @returns The hook.
 * @throws {TypeError} When `tracer` has no `startSpan` method.
 * @example Export to Deno's built-in OTel
 * ```ts ignore
 * // OTEL_DENO=true deno run -A agent.ts
 * import { otelHook } from "jsr:@looplet/looplet/otel";
 * const run = composableLoop({ llm, tools, task, hooks: [otelHook({ agent: "coder" })] });
 * ```
 */
export function otelHook(options: OtelHookOptions = {}): Hook {
  const { agent = "looplet", redact = (text: string) => text, recordArgs = false } = options;
  const tracer = (options.tracer ?? trace.getTracer("looplet")) as Tracer;
  if (typeof tracer?.startSpan !== "function") {
    throw new TypeError("Cannot make OpenTelemetry hook: 'tracer' must have a startSpan method");
  }
  const text = (value: string) => {
    const cut = value.length > TEXT_LIMIT ? `${value.slice(0, TEXT_LIMIT)}…` : value;
    return redact(cut);
  };
  let run: Span | undefined;
  let chat: Span | undefined;
  let provider = options.provider;
  let requestModel: string | undefined;
  const tools = new Map<number, Span>();
  const underRun = () =>
    run === undefined ? otelContext.active() : trace.setSpan(otelContext.active(), run);
  const common = () => ({
    ...(provider === undefined ? {} : { "gen_ai.provider.name": provider }),
    ...(requestModel === undefined ? {} : { "gen_ai.request.model": requestModel }),
  });
  const endOpen = () => {
    chat?.end();
    chat = undefined;
    for (const span of tools.values()) span.end();
    tools.clear();
  };
  const startTool = (name: string, step: number, id: string, startTime?: number) =>
    tracer.startSpan(`execute_tool ${name}`, {
      kind: SpanKind.INTERNAL,
      attributes: {
        ...common(),
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": name,
        "gen_ai.tool.call.id": id,
        "gen_ai.tool.type": "function",
        "looplet.step": step,
      },
      ...(startTime === undefined ? {} : { startTime }),
    }, underRun());
  return {
    name: "otel",
    onLoopStart({ state }) {
      run = tracer.startSpan(`invoke_agent ${agent}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          "gen_ai.operation.name": "invoke_agent",
          "gen_ai.agent.name": agent,
          ...common(),
          "looplet.task": text(renderTask(state.task)),
          "looplet.resumed": state.steps.length > 0 || state.turn > 0,
          "looplet.steps_before": (state.stepsDropped ?? 0) + state.steps.length,
        },
      }, otelContext.active());
    },
    events: ["model_call_start", "model_call_end", "tool_start", "step", "loop_end"],
    onEvent(event) {
      switch (event.type) {
        case "model_call_start": {
          chat?.end();
          provider ??= event.backend.name;
          requestModel = event.backend.model;
          run?.setAttributes(common());
          chat = tracer.startSpan(`chat ${requestModel ?? event.backend.name}`, {
            kind: SpanKind.CLIENT,
            attributes: {
              "gen_ai.operation.name": "chat",
              ...common(),
              "looplet.turn": event.turn,
              "looplet.attempt": event.attempt,
            },
          }, underRun());
          break;
        }
        case "model_call_end":
          if (chat === undefined) break;
          if (event.model !== undefined || requestModel !== undefined) {
            chat.setAttribute("gen_ai.response.model", event.model ?? requestModel!);
          }
          if (event.stopReason !== undefined) {
            chat.setAttribute("gen_ai.response.finish_reasons", [event.stopReason]);
          }
          if (event.usage !== undefined) chat.setAttributes(usageAttributes(event.usage));
          if (event.error !== undefined) {
            chat.setAttribute("error.type", event.errorType ?? "Error");
            chat.setStatus({ code: SpanStatusCode.ERROR, message: text(event.error) });
          }
          chat.end();
          chat = undefined;
          break;
        case "tool_start":
          tools.set(event.step, startTool(event.call.name, event.step, event.call.id));
          break;
        case "step": {
          const record: StepRecord = event.step;
          const span = tools.get(record.number) ??
            startTool(
              record.call.tool,
              record.number,
              record.call.id,
              performance.timeOrigin + performance.now() - record.durationMs,
            );
          tools.delete(record.number);
          if (recordArgs) {
            span.setAttribute("looplet.tool.args", text(JSON.stringify(record.call.args)));
          }
          if (record.result.awaitingApproval !== undefined) {
            span.setAttribute("looplet.awaiting_approval", text(record.result.awaitingApproval));
          } else if (record.result.error !== undefined) {
            span.setAttribute("error.type", record.result.errorKind ?? "execution");
            span.setStatus({ code: SpanStatusCode.ERROR, message: text(record.result.error) });
          }
          span.end();
          break;
        }
        case "loop_end": {
          endOpen();
          if (run === undefined) break;
          const { outcome } = event;
          run.setAttributes({
            ...usageAttributes(outcome.usage),
            "looplet.stop_reason": outcome.stopReason,
            "looplet.steps": outcome.steps,
            "looplet.model_calls": outcome.modelCalls,
          });
          if (outcome.error !== undefined || FAILED_STOPS.has(outcome.stopReason)) {
            run.setAttribute("error.type", outcome.error?.name ?? outcome.stopReason);
            run.setStatus({
              code: SpanStatusCode.ERROR,
              message: text(outcome.error?.message ?? outcome.stopReason),
            });
          }
          run.end();
          run = undefined;
        }
      }
    },
  };
}

/** Stop reasons that mean the run failed (the span gets `error.type` and an error status). */
const FAILED_STOPS: ReadonlySet<string> = new Set(["error", "llm_error"]);

function usageAttributes(usage: Usage): Record<string, number> {
  return {
    "gen_ai.usage.input_tokens": usage.inputTokens,
    "gen_ai.usage.output_tokens": usage.outputTokens,
    ...(usage.cacheReadTokens === undefined
      ? {}
      : { "gen_ai.usage.cache_read.input_tokens": usage.cacheReadTokens }),
    ...(usage.cacheWriteTokens === undefined
      ? {}
      : { "gen_ai.usage.cache_creation.input_tokens": usage.cacheWriteTokens }),
  };
}
