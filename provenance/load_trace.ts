import { readdir, readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, join } from "node:path";
import { isNotFound } from "../internal/not_found.ts";
import type { ModelTurn, Usage } from "../loop/types.ts";
import {
  parseResponseFile,
  promptFileName,
  responseFileName,
  TRACE_FORMAT_VERSION,
  usageFromJson,
} from "./_trace_files.ts";

/**
 * A trace directory that cannot be read. The message names the directory,
 * the file and the fix.
 *
 * @example Report a bad trace
 * ```ts ignore
 * try { await loadTrace("runs/x"); } catch (error) {
 *   if (error instanceof TraceError) console.error(error.message, error.file);
 * }
 * ```
 */
export class TraceError extends Error {
  /** The trace directory. */
  readonly dir: string;
  /** The file at fault, when one is. */
  readonly file: string | undefined;

  /**
   * Create the error.
   *
   * @param dir The trace directory.
   * @param problem What is wrong (completes "Cannot read trace "dir": ...").
   * @param options The file at fault and the cause.
   */
  constructor(dir: string, problem: string, options: { file?: string; cause?: unknown } = {}) {
    super(`Cannot read trace "${dir}": ${problem}`, { cause: options.cause });
    this.name = "TraceError";
    this.dir = dir;
    this.file = options.file;
  }
}

/**
 * One step of a loaded trace (camelCase, whichever format it came from).
 *
 * @example List the failed steps
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello");
 * for (const step of trace.steps) {
 *   if (step.error === undefined) continue;
 *   console.log(`#${step.number} ${step.tool}(${step.argsSummary}): ${step.error}`);
 * }
 * ```
 */
export interface TraceStep {
  /** 1-based step number. */
  readonly number: number;
  /** Turn number, when recorded. */
  readonly turn: number | undefined;
  /** ISO time the step started, when recorded. */
  readonly timestamp: string | undefined;
  /** Wall time of the step in milliseconds. */
  readonly durationMs: number;
  /** The tool called. */
  readonly tool: string;
  /** Its arguments (as recorded: redacted, possibly truncated). */
  readonly args: Readonly<Record<string, unknown>>;
  /** The `k=v` summary of the arguments. */
  readonly argsSummary: string;
  /** The model's stated reason, or `""`. */
  readonly reasoning: string;
  /** The call id. */
  readonly callId: string;
  /** What the tool returned (`null` on error). */
  readonly data: unknown;
  /** Error text, when the call failed. */
  readonly error: string | undefined;
  /** Error classification, when recorded. */
  readonly errorKind: string | undefined;
  /** Time the tool ran, in milliseconds. */
  readonly toolDurationMs: number;
  /** Model usage attributed to the step. */
  readonly usage: Usage | undefined;
  /** The one-line rendering (`#1 ✓ greet(name=Alice) → ...`). */
  readonly pretty: string;
  /** Indices of the model calls of this step's turn and of its tool. */
  readonly llmCallIndices: readonly number[];
  /** The record as stored (snake_case). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * One model call of a loaded trace.
 *
 * @example Token use per model call
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello");
 * for (const call of trace.calls) {
 *   const tokens = call.usage?.inputTokens ?? 0;
 *   console.log(call.index, call.scope ?? "loop", call.durationMs, tokens, call.error);
 * }
 * ```
 */
export interface TraceCall {
  /** 0-based call index. */
  readonly index: number;
  /** ISO start time. */
  readonly timestamp: string | undefined;
  /** Duration in milliseconds. */
  readonly durationMs: number;
  /** `"generate"` (or the reference's `"generate_with_tools"`). */
  readonly method: string;
  /** `null` for loop calls, `"tool:<name>"` for calls made by a tool. */
  readonly scope: string | null;
  /** The step the call belongs to. */
  readonly stepNum: number | null;
  /** The turn, when recorded. */
  readonly turn: number | null;
  /** Characters in the prompt (system prompt and messages). */
  readonly promptChars: number;
  /** Characters of response text. */
  readonly responseChars: number;
  /** Token usage, when the backend reported it. */
  readonly usage: Usage | undefined;
  /** Error text, when the call failed. */
  readonly error: string | null;
  /** Whether the failure was retryable (recorded for replay). */
  readonly errorRetryable: boolean;
  /** The names of the tools offered to the model, when recorded. */
  readonly toolNames: readonly string[] | undefined;
  /** The request purpose (`"reasoning"` for loop turns), when recorded. */
  readonly purpose: string | undefined;
  /** The model that answered (the manifest's `model`), when recorded. */
  readonly model: string | undefined;
  /** The prompt file's text, when bodies were loaded. */
  readonly prompt?: string;
  /** The response file's text, when bodies were loaded. */
  readonly responseText?: string;
  /** The response as a model turn, when bodies were loaded. */
  readonly response?: ModelTurn;
  /** The manifest line as stored. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * A trace directory, read.
 *
 * @example Summarise a run
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello");
 * console.log(trace.runId, trace.source, trace.complete ? trace.stopReason : "unfinished");
 * console.log(`${trace.steps.length} steps, ${trace.calls.length} model calls`, trace.finalAnswer);
 * for (const warning of trace.warnings) console.warn(warning);
 * ```
 */
export interface Trace {
  /** The directory. */
  readonly dir: string;
  /** Who wrote it: this library, or the reference (Python) implementation. */
  readonly source: "looplet" | "reference";
  /** `format_version` (0 for the reference's unversioned format). */
  readonly formatVersion: number;
  /** Run id (the directory name when none was recorded). */
  readonly runId: string;
  /** False when the run never finished writing (a crash, or a flush mid-run). */
  readonly complete: boolean;
  /** ISO start time. */
  readonly startedAt: string | undefined;
  /** ISO end time. */
  readonly endedAt: string | undefined;
  /** The task as recorded. */
  readonly task: unknown;
  /** The stop reason (`termination_reason`), when the run ended. */
  readonly stopReason: string | undefined;
  /** The final answer, when the run ended with `done`. */
  readonly finalAnswer: unknown;
  /** Usage totals, when recorded. */
  readonly usage: Usage | undefined;
  /** `metadata` of `trajectory.json`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Steps in order. */
  readonly steps: readonly TraceStep[];
  /** Model calls in order. */
  readonly calls: readonly TraceCall[];
  /** Things that were odd but readable (for example a cut-off last manifest line). */
  readonly warnings: readonly string[];
}

/**
 * Options of `loadTrace`.
 *
 * @example Read the prompts and responses too
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello", { bodies: true });
 * console.log(trace.calls[0].prompt, trace.calls[0].response?.text);
 * ```
 */
export interface LoadTraceOptions {
  /** Also read every call's prompt and response files. @default false */
  readonly bodies?: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Read a trace directory written by `ProvenanceSink`, or by the reference
 * implementation (no `format_version`). A run that crashed mid-way is read
 * from the step files written so far, with `complete: false`.
 *
 * @param dir The trace directory.
 * @param options Whether to read prompt and response bodies.
 * @returns The trace.
 * @throws {TraceError} When the directory is missing or holds no trace, a file is not valid
 *   JSON, or the trace has a newer `format_version` than this library reads.
 * @example Read a trace
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello");
 * console.log(trace.stopReason, trace.steps.length);
 * ```
 */
export async function loadTrace(dir: string, options: LoadTraceOptions = {}): Promise<Trace> {
  const { bodies = false } = options;
  let info: Stats;
  try {
    info = await stat(dir);
  } catch (cause) {
    throw new TraceError(
      dir,
      "the directory does not exist; pass a directory written by ProvenanceSink (or looplet run --trace-dir)",
      { cause },
    );
  }
  if (!info.isDirectory()) {
    throw new TraceError(dir, "it is a file, not a trace directory");
  }
  const warnings: string[] = [];
  const trajectoryPath = join(dir, "trajectory.json");
  const trajectoryText = await readText(trajectoryPath);
  let trajectory: Json | undefined;
  if (trajectoryText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trajectoryText);
    } catch (cause) {
      throw new TraceError(
        dir,
        `trajectory.json is not valid JSON (${
          (cause as Error).message
        }); the file is damaged or half-written`,
        { file: trajectoryPath, cause },
      );
    }
    if (!isObject(parsed)) {
      throw new TraceError(dir, "trajectory.json must hold a JSON object", {
        file: trajectoryPath,
      });
    }
    trajectory = parsed;
  }
  const version = trajectory === undefined ? 0 : num(trajectory.format_version, 0);
  if (version > TRACE_FORMAT_VERSION) {
    throw new TraceError(
      dir,
      `trajectory.json has format_version ${version}, newer than this looplet reads (${TRACE_FORMAT_VERSION}); upgrade looplet to read it`,
      { file: trajectoryPath },
    );
  }
  const source = version === 0 ? "reference" : "looplet";
  const status = trajectory === undefined ? undefined : str(trajectory.status);
  const complete = trajectory !== undefined &&
    (version === 0 ? true : status === "complete");

  const manifest = await readManifest(dir, complete, warnings);
  let callRecords: Json[] | undefined = manifest;
  if (
    callRecords === undefined && trajectory !== undefined && Array.isArray(trajectory.llm_calls)
  ) {
    callRecords = trajectory.llm_calls.filter(isObject);
  }
  if (callRecords === undefined) callRecords = await scanResponseFiles(dir);

  let stepRecords: Json[];
  const recordedSteps = trajectory !== undefined && Array.isArray(trajectory.steps)
    ? trajectory.steps.filter(isObject)
    : [];
  if (complete || (trajectory !== undefined && version === 0)) stepRecords = recordedSteps;
  else {
    const fromFiles = await readStepFiles(dir);
    stepRecords = fromFiles.length >= recordedSteps.length ? fromFiles : recordedSteps;
    if (trajectory === undefined && fromFiles.length === 0 && callRecords.length === 0) {
      throw new TraceError(
        dir,
        "it holds no trace: expected trajectory.json, manifest.jsonl or call_NN_response.txt " +
          "files (write one with ProvenanceSink and flush())",
      );
    }
    warnings.push(
      trajectory === undefined
        ? "trajectory.json is missing: the run did not finish; showing the steps written so far"
        : "the run did not finish writing its trace (it crashed or is still running); showing the steps written so far",
    );
  }

  const calls: TraceCall[] = [];
  for (const record of callRecords) {
    calls.push(await toCall(dir, record, bodies));
  }
  calls.sort((a, b) => a.index - b.index);
  const steps = stepRecords.map((record, i) => toStep(record, i));
  steps.sort((a, b) => a.number - b.number);
  const metadata = trajectory !== undefined && isObject(trajectory.metadata)
    ? trajectory.metadata
    : {};
  return {
    dir,
    source,
    formatVersion: version,
    runId: str(trajectory?.run_id) ?? basename(dir),
    complete,
    startedAt: str(trajectory?.started_at),
    endedAt: str(trajectory?.ended_at),
    task: trajectory?.task ?? null,
    stopReason: str(trajectory?.termination_reason),
    finalAnswer: trajectory?.final_answer ?? finalFromSteps(steps),
    usage: usageFromJson(trajectory?.usage) ?? sumUsage(calls),
    metadata,
    steps,
    calls,
    warnings,
  };
}

function finalFromSteps(steps: readonly TraceStep[]): unknown {
  const last = steps.at(-1);
  if (last === undefined || last.tool !== "done" || last.error !== undefined) return null;
  return last.args.answer ?? last.args.summary ?? last.data ?? null;
}

function sumUsage(calls: readonly TraceCall[]): Usage | undefined {
  const withUsage = calls.filter((call) => call.usage !== undefined);
  if (withUsage.length === 0) return undefined;
  return withUsage.reduce<Usage>((sum, call) => ({
    inputTokens: sum.inputTokens + call.usage!.inputTokens,
    outputTokens: sum.outputTokens + call.usage!.outputTokens,
  }), { inputTokens: 0, outputTokens: 0 });
}

async function readManifest(
  dir: string,
  complete: boolean,
  warnings: string[],
): Promise<Json[] | undefined> {
  const path = join(dir, "manifest.jsonl");
  const text = await readText(path);
  if (text === undefined) return undefined;
  const lines = text.split("\n");
  const records: Json[] = [];
  for (const [i, text] of lines.entries()) {
    const line = text.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      const isLast = lines.slice(i + 1).every((rest) => rest.trim() === "");
      if (isLast && !complete) {
        warnings.push(`manifest.jsonl line ${i + 1} is cut off (the run did not finish); skipped`);
        continue;
      }
      throw new TraceError(
        dir,
        `manifest.jsonl line ${i + 1} is not JSON (${(cause as Error).message}): ${
          line.slice(0, 60)
        }`,
        { file: path, cause },
      );
    }
    if (!isObject(value)) {
      throw new TraceError(dir, `manifest.jsonl line ${i + 1} is not a JSON object`, {
        file: path,
      });
    }
    records.push(value);
  }
  return records;
}

async function scanResponseFiles(dir: string): Promise<Json[]> {
  const records: Json[] = [];
  for (let index = 0;; index++) {
    try {
      await stat(join(dir, responseFileName(index)));
    } catch {
      break;
    }
    records.push({ index, method: "generate" });
  }
  return records;
}

async function readStepFiles(dir: string): Promise<Json[]> {
  const stepsDir = join(dir, "steps");
  const names: string[] = [];
  try {
    for (const entry of await readdir(stepsDir, { withFileTypes: true })) {
      if (entry.isFile() && /^step_\d+\.json$/.test(entry.name)) names.push(entry.name);
    }
  } catch {
    return [];
  }
  const records: Json[] = [];
  for (const name of names) {
    const path = join(stepsDir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, "utf8"));
    } catch (cause) {
      throw new TraceError(
        dir,
        `steps/${name} is not valid JSON (${(cause as Error).message})`,
        { file: path, cause },
      );
    }
    if (isObject(value)) records.push(value);
  }
  return records;
}

function toStep(record: Json, position: number): TraceStep {
  // Our format and the reference's nested form: { step_num, tool_call, tool_result }.
  // The reference's flat "benchmark" form: { tool, args_summary, error, data }.
  const call = isObject(record.tool_call) ? record.tool_call : record;
  const result = isObject(record.tool_result) ? record.tool_result : record;
  const args = isObject(call.args) ? call.args : {};
  const argsSummary = typeof result.args === "string"
    ? result.args
    : str(result.args_summary) ?? str(record.args_summary) ?? "";
  const error = result.error === null || result.error === undefined
    ? undefined
    : String(result.error);
  const data = "data" in result ? result.data : null;
  const number = num(record.step_num ?? record.step ?? record.number, position + 1);
  return {
    number,
    turn: typeof record.turn === "number" ? record.turn : undefined,
    timestamp: str(record.timestamp),
    durationMs: num(record.duration_ms),
    tool: str(call.tool) ?? str(record.tool) ?? "?",
    args,
    argsSummary,
    reasoning: str(call.reasoning) ?? "",
    callId: str(call.call_id) ?? str(call.id) ?? "",
    data,
    error,
    errorKind: str(result.error_kind),
    toolDurationMs: num(result.duration_ms),
    usage: usageFromJson(record.usage),
    pretty: str(record.pretty) ?? "",
    llmCallIndices: Array.isArray(record.llm_call_indices)
      ? record.llm_call_indices.filter((i): i is number => typeof i === "number")
      : [],
    raw: record,
  };
}

async function toCall(dir: string, record: Json, bodies: boolean): Promise<TraceCall> {
  const index = num(record.index, -1);
  if (index < 0) {
    throw new TraceError(dir, `a model call record has no 'index': ${JSON.stringify(record)}`, {
      file: join(dir, "manifest.jsonl"),
    });
  }
  const usage = usageFromJson(record);
  const call: TraceCall = {
    index,
    timestamp: str(record.timestamp),
    durationMs: num(record.duration_ms),
    method: str(record.method) ?? "generate",
    scope: str(record.scope) ?? null,
    stepNum: typeof record.step_num === "number" ? record.step_num : null,
    turn: typeof record.turn === "number" ? record.turn : null,
    model: str(record.model),
    promptChars: num(record.prompt_chars),
    responseChars: num(record.response_text_chars ?? record.response_chars),
    usage,
    error: record.error === null || record.error === undefined ? null : String(record.error),
    errorRetryable: record.error_retryable === true,
    toolNames: Array.isArray(record.tool_names)
      ? record.tool_names.filter((name): name is string => typeof name === "string")
      : undefined,
    purpose: str(record.purpose),
    raw: record,
  };
  if (!bodies) return call;
  const promptPath = join(dir, promptFileName(index));
  const responsePath = join(dir, responseFileName(index));
  const prompt = await readText(promptPath);
  const responseText = await readText(responsePath);
  if (responseText === undefined) {
    throw new TraceError(
      dir,
      `${responseFileName(index)} is missing, but manifest.jsonl lists call ${index}`,
      { file: responsePath },
    );
  }
  let parsed;
  try {
    parsed = parseResponseFile(responseText);
  } catch (cause) {
    throw new TraceError(
      dir,
      `${responseFileName(index)} cannot be read: ${(cause as Error).message}`,
      { file: responsePath, cause },
    );
  }
  return {
    ...call,
    ...(prompt !== undefined ? { prompt } : {}),
    responseText,
    response: {
      text: parsed.text,
      ...(parsed.toolCalls.length > 0 ? { toolCalls: parsed.toolCalls } : {}),
      ...(parsed.reasoning !== undefined ? { reasoning: parsed.reasoning } : {}),
      ...(usage !== undefined ? { usage } : {}),
      ...(typeof record.stop_reason === "string" ? { stopReason: record.stop_reason } : {}),
      ...(typeof record.model === "string" ? { model: record.model } : {}),
    },
    ...(call.error === null && parsed.error !== undefined ? { error: parsed.error } : {}),
  };
}
