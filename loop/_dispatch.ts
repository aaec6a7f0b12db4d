import { suggestSimilar } from "./suggest_similar.ts";
import type { AnyTool, ErrorKind, SchemaIssue, ToolContext } from "./types.ts";

/** What running (or refusing) one call produced. */
export interface CallOutcome {
  readonly data: unknown;
  readonly error?: string;
  readonly errorKind?: ErrorKind;
  readonly durationMs: number;
}

let prettify: ((error: { issues: readonly SchemaIssue[] }) => string) | undefined;

/** Format schema issues with Zod's `prettifyError` (loaded on first use, off the import path). */
async function formatIssues(issues: readonly SchemaIssue[]): Promise<string> {
  if (prettify === undefined) {
    const { z } = await import("zod");
    prettify = (error) => z.prettifyError(error as Parameters<typeof z.prettifyError>[0]);
  }
  return prettify({ issues });
}

/** A failed outcome that did not run the tool. */
export function refused(error: string, errorKind: ErrorKind): CallOutcome {
  return { data: null, error, errorKind, durationMs: 0 };
}

/** The failed outcome for a call naming a tool that does not exist. */
export function unknownTool(name: string, names: readonly string[]): CallOutcome {
  const hint = suggestSimilar(name, names);
  return refused(
    `Unknown tool "${name}".${hint ? ` Did you mean "${hint}"?` : ""} Available tools: ${
      names.join(", ")
    }`,
    "unknown_tool",
  );
}

/** Validate arguments; returns the parsed value or a failed outcome for the model. */
export async function validateArgs(
  tool: AnyTool,
  args: Record<string, unknown>,
  jsonSchema: Record<string, unknown>,
): Promise<{ readonly args: unknown } | { readonly failure: CallOutcome }> {
  const parsed = tool.input.safeParse(args);
  if (parsed.success) return { args: parsed.data };
  let text = `Invalid arguments for tool "${tool.name}":\n${await formatIssues(
    parsed.error.issues,
  )}`;
  const properties = jsonSchema.properties;
  if (typeof properties === "object" && properties !== null) {
    const known = Object.keys(properties);
    for (const key of Object.keys(args)) {
      if (known.includes(key)) continue;
      const hint = suggestSimilar(key, known);
      text += `\nUnexpected argument "${key}"${hint ? `; did you mean "${hint}"?` : ""}`;
    }
    text += `\nExpected arguments: ${known.join(", ") || "none"}`;
  }
  return { failure: refused(text, "validation") };
}

/** Run a tool with its timeout and the run's signal; never throws. */
export async function executeTool(
  tool: AnyTool,
  args: unknown,
  makeContext: (signal: AbortSignal) => ToolContext,
  runSignal: AbortSignal,
): Promise<CallOutcome> {
  const controller = new AbortController();
  const started = performance.now();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let rejectAbort: (reason: unknown) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (rejectAbort = reject));
  const onRunAbort = () => {
    controller.abort(runSignal.reason);
    rejectAbort(runSignal.reason);
  };
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener("abort", onRunAbort, { once: true });
  if (tool.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      const reason = new DOMException(`Tool "${tool.name}" timed out`, "TimeoutError");
      controller.abort(reason);
      rejectAbort(reason);
    }, tool.timeoutMs);
  }
  try {
    const running = Promise.resolve().then(() =>
      tool.execute(args, makeContext(controller.signal))
    );
    running.catch(() => {}); // a tool that fails after its timeout must not raise an unhandled rejection
    const data = await Promise.race([running, aborted]);
    return { data: data === undefined ? null : data, durationMs: performance.now() - started };
  } catch (error) {
    const durationMs = performance.now() - started;
    if (timedOut) {
      return {
        data: null,
        error: `Tool "${tool.name}" timed out after ${tool.timeoutMs}ms`,
        errorKind: "timeout",
        durationMs,
      };
    }
    if (runSignal.aborted) {
      return {
        data: null,
        error: `Tool "${tool.name}" was cancelled`,
        errorKind: "cancelled",
        durationMs,
      };
    }
    return { data: null, ...(await classifyError(error)), durationMs };
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener("abort", onRunAbort);
  }
}

const NETWORK_ERRORS = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "NotConnected",
  "AddrNotAvailable",
  "NetworkUnreachable",
]);

/**
 * Classify what a tool threw into an error kind and the text the model sees.
 */
export async function classifyError(
  error: unknown,
): Promise<{ readonly error: string; readonly errorKind: ErrorKind }> {
  if (!(error instanceof Error)) {
    return { error: `Tool failed: ${String(error)}`, errorKind: "execution" };
  }
  const issues = (error as { issues?: unknown }).issues;
  if (error.name === "ZodError" && Array.isArray(issues)) {
    return { error: await formatIssues(issues as SchemaIssue[]), errorKind: "validation" };
  }
  if (error.name === "ToolInputError") return { error: error.message, errorKind: "validation" };
  const text = `${error.name}: ${error.message}`;
  if (error.name === "TimeoutError") return { error: text, errorKind: "timeout" };
  if (error.name === "AbortError") return { error: text, errorKind: "cancelled" };
  if (error.name === "PermissionDenied" || error.name === "NotCapable") {
    return { error: text, errorKind: "permission_denied" };
  }
  if (error instanceof SyntaxError) return { error: text, errorKind: "parse" };
  if (
    NETWORK_ERRORS.has(error.name) ||
    (error instanceof TypeError && /fetch|error sending request|network/i.test(error.message))
  ) {
    return { error: text, errorKind: "network" };
  }
  return { error: text, errorKind: "execution" };
}
