import { suggestSimilar } from "./suggest_similar.ts";
import type { AnyTool, ErrorKind, SchemaIssue, ToolContext } from "./types.ts";

/** What running (or refusing) one call produced. */
export interface CallOutcome {
  readonly data: unknown;
  readonly error?: string;
  readonly errorKind?: ErrorKind;
  readonly durationMs: number;
}

/** A path as Zod prints it: `items[0].name`, `["odd key"]`. */
function dotPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "symbol") text += `[${String(key)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += text === "" ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

/**
 * Format schema issues in the layout of Zod 4's `prettifyError`. Written
 * here, not imported: a bare `zod` import would resolve through the caller's
 * import map (absent, or Zod 3), and any schema with a Zod-shaped
 * `safeParse` may be used.
 */
function formatIssues(issues: readonly SchemaIssue[]): string {
  return [...issues].sort((a, b) => a.path.length - b.path.length).map((issue) =>
    `✖ ${issue.message}${issue.path.length > 0 ? `\n  → at ${dotPath(issue.path)}` : ""}`
  ).join("\n");
}

/** A failed outcome that did not run the tool. */
export function refused(error: string, errorKind: ErrorKind): CallOutcome {
  return { data: null, error, errorKind, durationMs: 0 };
}

/** The error of a call that never started because the run was cancelled. */
export const NOT_RUN_CANCELLED = "Not run: the run stopped (cancelled)";

/**
 * The failed outcome of a call that started and may or may not have taken
 * effect: the model is told to check before calling again.
 */
export function interrupted(
  tool: string,
  why: string,
): { readonly data: null; readonly error: string; readonly errorKind: ErrorKind } {
  return {
    data: null,
    error: `Tool "${tool}" was interrupted: ${why}, so it may or may not have taken effect. ` +
      "Check whether it did before calling it again",
    errorKind: "interrupted",
  };
}

/**
 * The failed outcome for a call naming a tool that does not exist, or no tool
 * at all (an empty name, as a native tool call can carry): every backend's
 * calls come through here.
 */
export function unknownTool(name: string, names: readonly string[]): CallOutcome {
  if (name.trim() === "") {
    return refused(
      `The model called a tool with an empty name; call one of: ${names.join(", ")}`,
      "unknown_tool",
    );
  }
  const hint = suggestSimilar(name, names);
  return refused(
    `Unknown tool "${name}".${hint ? ` Did you mean "${hint}"?` : ""} Available tools: ${
      names.join(", ")
    }`,
    "unknown_tool",
  );
}

/** Validate arguments; returns the parsed value or a failed outcome for the model. */
export function validateArgs(
  tool: AnyTool,
  args: Record<string, unknown>,
  jsonSchema: Record<string, unknown> | undefined,
): { readonly args: unknown } | { readonly failure: CallOutcome } {
  const parsed = tool.input.safeParse(args);
  if (parsed.success) return { args: parsed.data };
  let text = `Invalid arguments for tool "${tool.name}":\n${formatIssues(parsed.error.issues)}`;
  const properties = jsonSchema?.properties;
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

/**
 * Run a tool with its timeout and the run's signal; never throws. A tool
 * without a timeout gets the run's signal itself (no per-call controller).
 * Cancellation and timeouts settle the call at once, even when the tool
 * ignores its signal.
 */
export function executeTool(
  tool: AnyTool,
  args: unknown,
  makeContext: (signal: AbortSignal) => ToolContext,
  runSignal: AbortSignal,
): Promise<CallOutcome> {
  const started = performance.now();
  const controller = tool.timeoutMs === undefined ? undefined : new AbortController();
  return new Promise<CallOutcome>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: Omit<CallOutcome, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      runSignal.removeEventListener("abort", onRunAbort);
      resolve({ ...outcome, durationMs: performance.now() - started });
    };
    const onRunAbort = () => {
      controller?.abort(runSignal.reason);
      finish(
        tool.readOnly === true
          ? { data: null, error: `Tool "${tool.name}" was cancelled`, errorKind: "cancelled" }
          : interrupted(tool.name, "the run was cancelled while it ran"),
      );
    };
    if (runSignal.aborted) {
      return finish({ data: null, error: NOT_RUN_CANCELLED, errorKind: "cancelled" });
    }
    runSignal.addEventListener("abort", onRunAbort);
    if (controller !== undefined) {
      timer = setTimeout(() => {
        controller.abort(new DOMException(`Tool "${tool.name}" timed out`, "TimeoutError"));
        finish({
          data: null,
          error: `Tool "${tool.name}" timed out after ${tool.timeoutMs}ms`,
          errorKind: "timeout",
        });
      }, tool.timeoutMs);
    }
    let running: unknown;
    try {
      running = tool.execute(args, makeContext(controller?.signal ?? runSignal));
    } catch (error) {
      running = Promise.reject(error);
    }
    Promise.resolve(running).then(
      (data) => finish({ data: data === undefined ? null : data }),
      (error) => {
        if (settled) return; // failed after its timeout or cancellation: already reported
        finish({ data: null, ...classifyError(error) });
      },
    );
  });
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
export function classifyError(
  error: unknown,
): { readonly error: string; readonly errorKind: ErrorKind } {
  if (!(error instanceof Error)) {
    return { error: `Tool failed: ${String(error)}`, errorKind: "execution" };
  }
  const issues = (error as { issues?: unknown }).issues;
  if (error.name === "ZodError" && Array.isArray(issues)) {
    return { error: formatIssues(issues as SchemaIssue[]), errorKind: "validation" };
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
