/**
 * Provenance traces: record a run's model calls and steps to a directory,
 * read traces back, show them as text or as a self-contained HTML page, and
 * replay them deterministically.
 *
 * @example Record, show and replay a run
 * ```ts ignore
 * import { composableLoop, ScriptedBackend } from "jsr:@looplet/looplet";
 * import { assertReplay, ProvenanceSink, showTrace } from "jsr:@looplet/looplet/provenance";
 *
 * const sink = new ProvenanceSink(".traces/hello");
 * const llm = sink.wrap(new ScriptedBackend([ScriptedBackend.call("done", { answer: "hi" })]));
 * await composableLoop({ llm, task: "Say hi", hooks: [sink.hook()] }).complete();
 * console.log(await showTrace(".traces/hello"));
 * await assertReplay(".traces/hello", {});
 * ```
 *
 * @module
 */

export { ProvenanceSink } from "./provenance_sink.ts";
export type { ProvenanceSinkOptions } from "./provenance_sink.ts";
export type { ProvenanceCallRecord } from "./provenance_call_record.ts";
export { loadTrace, TraceError } from "./load_trace.ts";
export type { LoadTraceOptions, Trace, TraceCall, TraceStep } from "./load_trace.ts";
export { renderTraceText, showTrace, traceDurationMs } from "./show_trace.ts";
export type { ShowTraceOptions } from "./show_trace.ts";
export { renderTraceHtml, writeTraceHtml } from "./trace_html.ts";
export type { TraceHtmlOptions } from "./trace_html.ts";
export { renderTraceDiffHtml, writeTraceDiffHtml } from "./trace_diff_html.ts";
export { watchTraceHtml } from "./watch_trace_html.ts";
export type { TraceHtmlUpdate, WatchTraceHtmlOptions } from "./watch_trace_html.ts";
export { showCommand } from "./show_command.ts";
export type { CommandIo, ShowCommandOptions } from "./show_command.ts";
export {
  assertReplay,
  ReplayDivergenceError,
  replayLoop,
  TraceReplayBackend,
} from "./replay_loop.ts";
export type { AssertReplayOptions, ReplayLoopOptions } from "./replay_loop.ts";
