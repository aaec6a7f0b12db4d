import {
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { renderTask } from "../../loop/prompt.ts";
import type { Hook, StepRecord } from "../../loop/types.ts";

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
  /** Applied to every text attribute (task, arguments, errors) before it is recorded. @default identity */
  readonly redact?: (text: string) => string;
  /** Record tool arguments as an attribute (redacted, cut to 1000 characters). @default false */
  readonly recordArgs?: boolean;
}

const TEXT_LIMIT = 1000;

/**
 * Trace runs with OpenTelemetry: a `looplet.run` span, a `looplet.turn` span
 * per turn under it, and under each turn a `looplet.llm` span per model call
 * (with `gen_ai.usage.input_tokens` / `output_tokens`) and a
 * `looplet.tool <name>` span per step. Errors set the span status. Spans go to
 * the tracer you pass, or to the global one, which Deno's built-in OTel
 * exporter provides when `OTEL_DENO=true`. Use one hook per concurrent run.
 *
 * @param options Tracer, redaction and argument recording.
 * @returns The hook.
 * @example Export to Deno's built-in OTel
 * ```ts ignore
 * // OTEL_DENO=true deno run -A agent.ts
 * import { otelHook } from "jsr:@looplet/looplet/otel";
 * const run = composableLoop({ llm, tools, task, hooks: [otelHook()] });
 * ```
 */
export function otelHook(options: OtelHookOptions = {}): Hook {
  const { redact = (text: string) => text, recordArgs = false } = options;
  const tracer = (options.tracer ?? trace.getTracer("looplet")) as Tracer;
  if (typeof tracer?.startSpan !== "function") {
    throw new TypeError("Cannot make OpenTelemetry hook: 'tracer' must have a startSpan method");
  }
  const text = (value: string) => {
    const cut = value.length > TEXT_LIMIT ? `${value.slice(0, TEXT_LIMIT)}…` : value;
    return redact(cut);
  };
  let run: Span | undefined;
  let turn: Span | undefined;
  let llm: Span | undefined;
  const tools = new Map<number, Span>();
  const under = (parent: Span | undefined) =>
    parent === undefined ? otelContext.active() : trace.setSpan(otelContext.active(), parent);
  const endTurn = () => {
    llm?.end();
    llm = undefined;
    for (const span of tools.values()) span.end();
    tools.clear();
    turn?.end();
    turn = undefined;
  };
  return {
    name: "otel",
    onLoopStart({ state }) {
      run = tracer.startSpan("looplet.run", {
        kind: SpanKind.INTERNAL,
        attributes: {
          "looplet.task": text(renderTask(state.task)),
          "looplet.resumed": state.steps.length > 0 || state.turn > 0,
          "looplet.steps_before": (state.stepsDropped ?? 0) + state.steps.length,
        },
      }, otelContext.active());
    },
    events: ["turn_start", "model_call_start", "model_call_end", "tool_start", "step", "loop_end"],
    onEvent(event) {
      switch (event.type) {
        case "turn_start":
          endTurn();
          turn = tracer.startSpan("looplet.turn", {
            attributes: { "looplet.turn": event.turn },
          }, under(run));
          break;
        case "model_call_start":
          llm?.end();
          llm = tracer.startSpan("looplet.llm", {
            kind: SpanKind.CLIENT,
            attributes: {
              "gen_ai.operation.name": "chat",
              "looplet.turn": event.turn,
              "looplet.attempt": event.attempt,
            },
          }, under(turn ?? run));
          break;
        case "model_call_end":
          if (llm === undefined) break;
          if (event.usage !== undefined) {
            llm.setAttribute("gen_ai.usage.input_tokens", event.usage.inputTokens);
            llm.setAttribute("gen_ai.usage.output_tokens", event.usage.outputTokens);
          }
          if (event.error !== undefined) {
            llm.setStatus({ code: SpanStatusCode.ERROR, message: text(event.error) });
          }
          llm.end();
          llm = undefined;
          break;
        case "tool_start":
          tools.set(
            event.step,
            tracer.startSpan(`looplet.tool ${event.call.name}`, {
              attributes: toolAttributes(event.call.name, event.step, event.call.id),
            }, under(turn ?? run)),
          );
          break;
        case "step": {
          const record: StepRecord = event.step;
          let span = tools.get(record.number);
          tools.delete(record.number);
          span ??= tracer.startSpan(`looplet.tool ${record.call.tool}`, {
            attributes: toolAttributes(record.call.tool, record.number, record.call.id),
            startTime: performance.timeOrigin + performance.now() - record.durationMs,
          }, under(turn ?? run));
          if (recordArgs) {
            span.setAttribute("looplet.tool.args", text(JSON.stringify(record.call.args)));
          }
          if (record.usage.inputTokens > 0 || record.usage.outputTokens > 0) {
            span.setAttribute("gen_ai.usage.input_tokens", record.usage.inputTokens);
            span.setAttribute("gen_ai.usage.output_tokens", record.usage.outputTokens);
          }
          if (record.result.awaitingApproval !== undefined) {
            span.setAttribute("looplet.awaiting_approval", text(record.result.awaitingApproval));
          } else if (record.result.error !== undefined) {
            span.setAttribute("looplet.error_kind", record.result.errorKind ?? "execution");
            span.setStatus({ code: SpanStatusCode.ERROR, message: text(record.result.error) });
          }
          span.end();
          break;
        }
        case "loop_end": {
          endTurn();
          if (run === undefined) break;
          const { outcome } = event;
          run.setAttributes({
            "looplet.stop_reason": outcome.stopReason,
            "looplet.steps": outcome.steps,
            "looplet.model_calls": outcome.modelCalls,
            "gen_ai.usage.input_tokens": outcome.usage.inputTokens,
            "gen_ai.usage.output_tokens": outcome.usage.outputTokens,
          });
          if (outcome.error !== undefined || outcome.stopReason === "error") {
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

function toolAttributes(name: string, step: number, id: string): Record<string, string | number> {
  return {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": name,
    "gen_ai.tool.call.id": id,
    "looplet.step": step,
  };
}
