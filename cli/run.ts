/**
 * `looplet run <bundle> <task>`: the command a user lives in.
 *
 * @module
 */
import { cp, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import type { CliContext } from "./types.ts";
import {
  type CommandSpec,
  type OptionSpec,
  type ParsedArguments,
  positiveInteger,
  resolveBundle,
  UsageError,
} from "./args.ts";
import { type LiveLine, liveLine, paint, plural } from "./_live.ts";
import { composableLoop } from "../loop/composable_loop.ts";
import { abortableDelay } from "../loop/abortable_delay.ts";
import { isRetryable, retryDelay } from "../loop/retry_policy.ts";
import type { Backend, Hook, LoopEvent, Outcome } from "../loop/types.ts";
import type { NativeToolProbe } from "../backends/probe_native_tools.ts";
import { ScriptedBackend, type ScriptedResponse } from "../backends/scripted.ts";
import type { Step } from "../loop/step.ts";
import { bundleNameProblem } from "../bundles/bundle_name.ts";
import { bundleRuntime, type LoadedBundle } from "../bundles/load_bundle.ts";
import {
  agentScriptedResponses,
  type AgentSource,
  buildAgent,
  loadCartridgeOrBundle,
} from "../cartridge/load_agent.ts";
import { MAX_STEPS_FLAG, RUNTIME_FLAGS, runtimeOptions } from "./_runtime_options.ts";
import { resourceTool, skillResources } from "../bundles/bundle_resources.ts";
import {
  detectSandbox,
  SANDBOX_MODES,
  type SandboxMode,
} from "../tools/workspace/detect_sandbox.ts";
import { knownSecretValues, redactSecrets } from "../hooks/redact_secrets.ts";
import { redactResultsHook } from "../hooks/redact_results_hook.ts";

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  workspace: {
    type: "string",
    short: "w",
    value: "DIR",
    description: "the folder the agent works in",
    default: "the current folder",
  },
  "copy-workspace": {
    type: "string",
    value: "DIR",
    description: "work on a temporary copy of DIR, removed at exit unless --keep",
  },
  keep: { type: "boolean", description: "keep the --copy-workspace copy and print where it is" },
  ...MAX_STEPS_FLAG,
  ...RUNTIME_FLAGS,
  resources: {
    type: "boolean",
    description: "give a raw skill a read-only read_resource tool for its own files",
  },
  scripted: { type: "boolean", description: "replay the bundle's scripted replies, no model" },
  "scripted-response": {
    type: "string",
    multiple: true,
    value: "TEXT",
    description: "a scripted reply: JSON tool calls or text",
  },
  model: { type: "string", value: "NAME", description: "model name", default: "$OPENAI_MODEL" },
  "base-url": {
    type: "string",
    value: "URL",
    description: "OpenAI-compatible endpoint",
    default: "$OPENAI_BASE_URL",
  },
  provider: {
    type: "string",
    value: "NAME",
    description: "openai or anthropic",
    default: "from the environment",
  },
  protocol: {
    type: "string",
    value: "NAME",
    description: "tool calls: auto (probe the model), native, or text (JSON in the reply)",
    default: "auto",
  },
  stream: { type: "boolean", description: "print the model's text as it arrives" },
  json: {
    type: "boolean",
    description: "print JSON Lines: one object per step, then the outcome",
  },
  "trace-dir": {
    type: "string",
    value: "DIR",
    description: "where the provenance trace goes",
    default: "<workspace>/.looplet/traces/<bundle>-<id>",
  },
  overwrite: { type: "boolean", description: "replace a trace already in --trace-dir" },
  "no-trace": { type: "boolean", description: "record no trace" },
  sandbox: {
    type: "string",
    value: "MODE",
    description:
      "run command tools under bubblewrap: auto (when it works here), bwrap (required), or none",
    default: "auto",
  },
};

/**
 * `looplet run <bundle> <task>`: load and build the bundle, pick the model
 * (scripted replies, or the injected `backendFromEnv`), probe native tools,
 * run the loop with a live step trace, and return 0 only when the run ends
 * with an accepted `done` (130 when interrupted).
 *
 * @example
 * ```ts ignore
 * await main(["run", "examples/skills/coder", "Fix the tests", "--scripted"]);
 * ```
 */
export const command: CommandSpec = {
  name: "run",
  usage: "<bundle> <task>",
  summary:
    "Run a bundle on a task with a real model (OPENAI_BASE_URL/OPENAI_MODEL or ANTHROPIC_API_KEY) or its script. The task may be @FILE or - (standard input).",
  options: OPTIONS,
  positionals: { min: 2, max: 2, names: "a bundle folder and a task" },
  run: (parsed, context) => cliRun(parsed, context),
};

/** Consecutive replies without a readable tool call before the run stops. */
const PARSE_FAILURE_LIMIT = 3;

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT). */
const INTERRUPTED = 130;

function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("").slice(0, length);
}

async function isFolder(path: string): Promise<boolean> {
  return await stat(path).then((info) => info.isDirectory(), () => false);
}

async function readTask(argument: string, context: CliContext): Promise<string> {
  let task = argument;
  if (argument === "-") {
    task = context.deps.readStdin ? await context.deps.readStdin() : await readStandardInput();
  } else if (argument.startsWith("@") && argument.length > 1) {
    const path = argument.slice(1);
    task = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        `Cannot read the task file "${path}": ${
          error.code === "ENOENT" ? "it does not exist" : error.message
        }; give an existing file after @, or the task text itself`,
      );
    });
  }
  if (task.trim() === "") {
    throw new UsageError(
      argument === "-"
        ? "the task read from standard input is empty"
        : argument.startsWith("@")
        ? `the task file "${argument.slice(1)}" is empty`
        : "the task must not be empty",
      "run",
    );
  }
  return task.trim();
}

async function readStandardInput(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return new TextDecoder().decode(
    chunks.reduce((all, chunk) => {
      const joined = new Uint8Array(all.length + chunk.length);
      joined.set(all);
      joined.set(chunk, all.length);
      return joined;
    }, new Uint8Array()),
  );
}

/** Probe native tools, retrying retryable failures as the loop retries model calls. */
async function probeWithRetry(
  probe: (backend: Backend) => Promise<NativeToolProbe>,
  backend: Backend,
  signal: AbortSignal,
  onRetry: (attempt: number, error: unknown) => void,
): Promise<NativeToolProbe> {
  const attempts = 3;
  for (let attempt = 1;; attempt++) {
    try {
      return await probe(backend);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error) || signal.aborted) throw error;
      onRetry(attempt, error);
      await abortableDelay(retryDelay(attempt, {}, error), signal);
    }
  }
}

/** Where the trace goes, refusing a folder that holds one unless `--overwrite`. */
async function traceFolder(
  values: Record<string, unknown>,
  context: CliContext,
  workspace: string,
  name: string,
): Promise<string | undefined> {
  if (values["no-trace"]) return undefined;
  const given = values["trace-dir"] as string | undefined;
  if (given === undefined) {
    return context.deps.trace
      ? join(workspace, ".looplet", "traces", `${name}-${randomHex(12)}`)
      : undefined;
  }
  const holds = await stat(join(given, "trajectory.json")).then(() => true, () => false) ||
    await stat(join(given, "manifest.jsonl")).then(() => true, () => false);
  if (holds && !values.overwrite) {
    throw new UsageError(
      `--trace-dir "${given}" already holds a trace; choose another folder, or pass --overwrite to replace it`,
      "run",
    );
  }
  if (holds) await rm(given, { recursive: true, force: true });
  return given;
}

/** Pick the model: the script, or the injected backend (probed unless `--protocol` says). */
async function pickModel(
  values: Record<string, unknown>,
  context: CliContext,
  source: AgentSource,
  live: LiveLine,
  signal: AbortSignal,
): Promise<
  { llm: Backend; label: string; protocol: string; probe: string; replies?: ScriptedResponse[] }
> {
  const { deps, env } = context;
  const explicit = (values["scripted-response"] as string[] | undefined) ?? [];
  if (values.scripted || explicit.length > 0) {
    const replies = explicit.length > 0 ? explicit : await agentScriptedResponses(source);
    return {
      llm: new ScriptedBackend(replies),
      label: `scripted (${plural(replies.length, "reply", "replies")})`,
      protocol: "native",
      probe: "scripted backend declares native tools",
      replies,
    };
  }
  if (!deps.backendFromEnv) {
    throw new Error(
      "No model is configured in this build; run with --scripted to replay the bundle's script, or use a looplet build with model backends (set OPENAI_BASE_URL and OPENAI_MODEL)",
    );
  }
  let llm = await deps.backendFromEnv(env, {
    ...(values.model ? { model: values.model as string } : {}),
    ...(values["base-url"] ? { baseUrl: values["base-url"] as string } : {}),
    ...(values.provider ? { provider: values.provider as string } : {}),
  });
  const described = llm as Backend & { model?: unknown; baseUrl?: unknown };
  const label = [
    llm.name,
    typeof described.model === "string" ? `model ${described.model}` : "",
    typeof described.baseUrl === "string" ? `at ${described.baseUrl}` : "",
  ].filter((part) => part !== "").join(" ");
  const asked = (values.protocol as string | undefined) ?? "auto";
  let native = llm.capabilities.nativeTools;
  let probe = "not probed";
  if (asked === "native" || asked === "text") {
    native = asked === "native";
    probe = `--protocol ${asked}`;
  } else if (deps.probeNativeTools && native) {
    live.note("probing model for native tool calls…");
    const result = await probeWithRetry(deps.probeNativeTools, llm, signal, (attempt, error) => {
      live.note(
        `probe attempt ${attempt} failed (${(error as Error).message.split("\n")[0]}); retrying…`,
      );
    });
    live.clear();
    native = result.nativeTools;
    probe = result.reason;
  }
  if (native !== llm.capabilities.nativeTools) {
    const base = llm;
    llm = {
      name: base.name,
      capabilities: { ...base.capabilities, nativeTools: native },
      generate: (request, options) => base.generate(request, options),
    };
  }
  return { llm, label, protocol: native ? "native" : "json-text", probe };
}

async function cliRun(
  { values, arg }: ParsedArguments,
  context: CliContext,
): Promise<number> {
  const { io, deps, tty, terminal } = context;
  const json = Boolean(values.json);
  const maxStepsFlag = positiveInteger("run", "max-steps", values["max-steps"]);
  const explicitResponses = (values["scripted-response"] as string[] | undefined) ?? [];
  if (explicitResponses.some((response) => response.trim() === "")) {
    throw new UsageError("--scripted-response must not be empty", "run");
  }
  if (values.workspace !== undefined && values["copy-workspace"] !== undefined) {
    throw new UsageError("give --workspace or --copy-workspace, not both", "run");
  }
  if (values["trace-dir"] !== undefined && values["no-trace"]) {
    throw new UsageError("give --trace-dir or --no-trace, not both", "run");
  }
  if (values.keep && values["copy-workspace"] === undefined) {
    throw new UsageError("--keep keeps a --copy-workspace copy; give --copy-workspace too", "run");
  }
  const protocolFlag = values.protocol as string | undefined;
  if (protocolFlag !== undefined && !["auto", "native", "text"].includes(protocolFlag)) {
    throw new UsageError(`--protocol must be auto, native or text, got "${protocolFlag}"`, "run");
  }
  const sandbox = ((values.sandbox as string | undefined) ?? "auto") as SandboxMode;
  if (!SANDBOX_MODES.includes(sandbox)) {
    throw new UsageError(`--sandbox must be auto, bwrap or none, got "${sandbox}"`, "run");
  }
  const task = await readTask(arg(1), context);
  const agentPath = await resolveBundle(arg(0));

  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new DOMException("interrupted", "AbortError"));
  process.on?.("SIGINT", onInterrupt);
  // The live line writes to the real terminal, so only when output is not injected.
  const live = liveLine(terminal && deps.stdout === undefined && !json, tty, io.stderr);
  let copied: string | undefined;
  try {
    let workspace = resolve((values.workspace as string | undefined) ?? ".");
    if (values["copy-workspace"] !== undefined) {
      const source = resolve(values["copy-workspace"] as string);
      if (!(await isFolder(source))) {
        throw new Error(`Cannot copy workspace "${values["copy-workspace"]}": it is not a folder`);
      }
      copied = await mkdtemp(join(tmpdir(), "looplet-workspace-"));
      workspace = join(copied, basename(source));
      await cp(source, workspace, { recursive: true });
    } else if (!(await isFolder(workspace))) {
      throw new Error(
        `Cannot use workspace "${values.workspace}": it is not a folder; create it or pass another --workspace`,
      );
    }
    const source = await loadCartridgeOrBundle(agentPath, { workspace });
    for (const warning of source.warnings) io.stderr(`warning: ${warning}`);
    const bundle = source.kind === "bundle" ? source.bundle : undefined;
    const resources = bundle ? await skillResources(bundle.folder) : [];
    if (resources.length > 0 && !values.resources) {
      io.stderr(
        `warning: ${source.name} has ${plural(resources.length, "resource file")} (${
          resources.slice(0, 3).join(", ")
        }${
          resources.length > 3 ? ", …" : ""
        }) the model cannot read; pass --resources to give it a read-only read_resource tool`,
      );
    }
    // The name becomes a folder name: never let it point elsewhere (loadBundle checks it too).
    const nameProblem = bundleNameProblem(source.name);
    if (nameProblem !== undefined) throw new Error(`Cannot run "${source.name}": ${nameProblem}`);
    const traceDir = await traceFolder(values, context, workspace, source.name);
    const model = await pickModel(values, context, source, live, controller.signal);
    const options = runtimeOptions("run", values, bundle, model.protocol === "native");
    const scripted = model.replies !== undefined;
    const commands = await commandSettings(sandbox, bundle, context);

    if (bundle?.entrypoint?.run) {
      const code = await bundle.entrypoint.run({
        task,
        runtime: bundleRuntime(bundle.folder.root, {
          workspace,
          maxSteps: maxStepsFlag ?? bundle.folder.maxSteps ?? 20,
          scripted,
          options,
          commands,
        }),
        ...(model.replies ? { scriptedResponses: model.replies } : {}),
        ...(traceDir ? { traceDir } : {}),
        stdout: io.stdout,
        stderr: io.stderr,
      });
      if (!Number.isInteger(code)) {
        throw new Error(
          `Bundle "${bundle.name}" run() returned ${
            JSON.stringify(code)
          }; it must return an integer exit code`,
        );
      }
      return code;
    }
    return await runLoop({
      values,
      context,
      source,
      bundle,
      workspace,
      traceDir,
      task,
      model,
      options,
      live,
      controller,
      maxStepsFlag,
      scripted,
      commands,
    });
  } finally {
    live.clear();
    process.off?.("SIGINT", onInterrupt);
    if (copied !== undefined) {
      if (values.keep) io.stderr(`kept workspace copy: ${copied}`);
      else await rm(copied, { recursive: true, force: true });
    }
  }
}

interface LoopRun {
  readonly values: Record<string, unknown>;
  readonly context: CliContext;
  readonly source: AgentSource;
  readonly bundle: LoadedBundle | undefined;
  readonly workspace: string;
  readonly traceDir: string | undefined;
  readonly task: string;
  readonly model: { llm: Backend; label: string; protocol: string; probe: string };
  readonly options: Record<string, unknown>;
  readonly live: LiveLine;
  readonly controller: AbortController;
  readonly maxStepsFlag: number | undefined;
  readonly scripted: boolean;
  readonly commands: CommandSettings;
}

/** How command tools run: sandbox, network, and the environment they may see. */
interface CommandSettings {
  readonly sandbox: SandboxMode;
  readonly sandboxed: boolean;
  readonly network: boolean;
  readonly passEnv: readonly string[];
  readonly envSource: Readonly<Record<string, string | undefined>>;
}

/** Sandboxed when asked (auto: when bubblewrap works here; say so once when not). */
async function commandSettings(
  sandbox: SandboxMode,
  bundle: LoadedBundle | undefined,
  context: CliContext,
): Promise<CommandSettings> {
  const status = sandbox === "none" ? undefined : await detectSandbox();
  if (sandbox === "bwrap" && status?.available === false) {
    throw new Error(
      `Cannot use --sandbox bwrap: ${status.reason}; install bubblewrap or pass --sandbox none`,
    );
  }
  if (sandbox === "auto" && status?.available === false) {
    context.io.stderr(
      `warning: sandbox unavailable: ${status.reason}; commands run unsandboxed and can read and write whatever your user can (see the README's threat model); install bubblewrap, or pass --sandbox none to accept this`,
    );
  }
  return {
    sandbox,
    sandboxed: sandbox !== "none" && status?.available === true,
    network: bundle?.folder.network ?? false,
    passEnv: bundle?.folder.passEnv ?? [],
    envSource: context.env,
  };
}

async function runLoop(run: LoopRun): Promise<number> {
  const { values, context, source, bundle, workspace, traceDir, task, model, live, controller } =
    run;
  const { io, deps, tty } = context;
  const json = Boolean(values.json);
  const secrets = knownSecretValues(context.env);
  const agent = await buildAgent(source, {
    workspace,
    scripted: run.scripted,
    commands: run.commands,
    options: run.options,
    ...(run.maxStepsFlag ? { maxSteps: run.maxStepsFlag } : {}),
    ...(deps.connect ? { connect: deps.connect } : {}),
  });
  let sink;
  let llm = model.llm;
  try {
    if (traceDir !== undefined) {
      if (deps.trace) {
        sink = await deps.trace({
          traceDir,
          bundle: source.name,
          task,
          ...(values.overwrite ? { overwrite: true } : {}),
        });
      } else io.stderr("warning: tracing is not available in this build; --trace-dir is ignored");
    }
    if (sink?.wrap) llm = sink.wrap(llm);
    const tools = values.resources
      ? [...agent.tools, ...(bundle ? [resourceTool(bundle.folder.root)] : [])]
      : agent.tools;
    if (!json) {
      io.stdout(paint(tty, "bold", `looplet run ${source.name}`));
      io.stdout(`  Task: ${task.split("\n")[0]}${task.includes("\n") ? " …" : ""}`);
      io.stdout(`  Workspace: ${workspace}`);
      io.stdout(
        `  Sandbox: ${
          run.commands.sandboxed
            ? `bwrap (workspace read-write, system read-only, network ${
              run.commands.network ? "on" : "off"
            })`
            : "none"
        }`,
      );
      io.stdout(`  Model: ${model.label} | Budget: ${plural(agent.maxSteps, "step")}`);
      io.stdout(`  Tool protocol: ${model.protocol} | Probe: ${model.probe}`);
      io.stdout("");
    }
    const streamed = streamPrinter(Boolean(values.stream) && !json, io.stdout, live);
    const liveHook: Hook = {
      name: "cli-live-trace",
      events: [
        "model_call_start",
        "model_call_end",
        "model_delta",
        "tool_start",
        "tool_progress",
        "step",
      ],
      onEvent(event: LoopEvent) {
        if (event.type === "model_call_start") live.start("thinking");
        else if (event.type === "model_delta") streamed.delta(event.delta);
        else if (event.type === "model_call_end") {
          streamed.flush();
          live.clear();
        } else if (event.type === "tool_start") {
          live.start(`running ${event.call.name}(${summary(event.call.args)})`);
        } else if (event.type === "tool_progress") live.progress(event.message);
        else if (event.type === "step") live.clear();
      },
    };
    agent.bindBackend(llm);
    const loop = composableLoop({
      llm,
      task,
      ...(agent.maxTokens !== undefined ? { maxTokens: agent.maxTokens } : {}),
      ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      tools,
      hooks: [
        // The caller's own secrets never come back in a tool result, even if a tool prints them.
        ...(secrets.length > 0
          ? [redactResultsHook(redactSecrets({ patterns: [], values: secrets }))]
          : []),
        ...agent.hooks,
        ...(sink?.hooks ?? []),
        liveHook,
      ],
      systemPrompt: agent.systemPrompt,
      maxSteps: agent.maxSteps,
      metadata: agent.metadata,
      doneTool: agent.doneTool,
      signal: controller.signal,
    });
    let parseFailures = 0;
    let proseOnly: string | undefined;
    const interruptedSteps: string[] = [];
    for await (const step of loop) {
      live.clear();
      if (step.result.errorKind === "interrupted") {
        interruptedSteps.push(`${step.call.tool}(${summary(step.call.args)})`);
      }
      if (json) io.stdout(JSON.stringify(stepJson(step)));
      else io.stdout(renderLine(step, bundle?.entrypoint?.renderStep, tty));
      if (step.call.tool === "__parse_error__") {
        parseFailures++;
        if (!json && step.call.reasoning) {
          io.stdout(
            paint(tty, "dim", `    model said: ${step.call.reasoning.replace(/\n/g, " ")}`),
          );
        }
        if (parseFailures >= PARSE_FAILURE_LIMIT) {
          proseOnly = step.call.reasoning ?? "";
          break;
        }
      } else parseFailures = 0;
    }
    const outcome = await loop.outcome;
    return finish(outcome, {
      context,
      json,
      traceDir: sink ? traceDir : undefined,
      proseOnly,
      interrupted: controller.signal.aborted ? interruptedSteps : undefined,
      protocol: model.protocol,
    });
  } finally {
    await agent.close();
    await sink?.close();
  }
}

function finish(
  outcome: Outcome,
  facts: {
    context: CliContext;
    json: boolean;
    traceDir: string | undefined;
    proseOnly: string | undefined;
    interrupted: string[] | undefined;
    protocol: string;
  },
): number {
  const { io, tty } = facts.context;
  let why: string | undefined;
  let code = 1;
  if (facts.interrupted !== undefined) {
    const during = facts.interrupted.length > 0 ? ` during ${facts.interrupted.join(", ")}` : "";
    why = `interrupted${during} after ${plural(outcome.steps, "step")}`;
    code = INTERRUPTED;
  } else if (facts.proseOnly !== undefined) {
    why =
      `the model is not calling tools: ${PARSE_FAILURE_LIMIT} replies in a row had no tool call it could read; ${
        facts.protocol === "native"
          ? "try --protocol text (tool calls as JSON in the reply)"
          : "try --protocol native"
      }, or another model`;
  } else if (outcome.stopReason === "done") code = 0;
  else if (outcome.stopReason === "llm_error") {
    why = `the model call failed: ${outcome.error?.message ?? "unknown error"}`;
  } else if (outcome.stopReason === "max_steps") {
    why = `the step budget ran out after ${
      plural(outcome.steps, "step")
    }; raise --max-steps or simplify the task`;
  } else {why = `the run stopped with '${outcome.stopReason}' after ${
      plural(outcome.steps, "step")
    }`;}
  if (facts.json) {
    io.stdout(JSON.stringify({
      type: "outcome",
      ok: code === 0,
      exit_code: code,
      stop_reason: facts.interrupted
        ? "interrupted"
        : facts.proseOnly !== undefined
        ? "no_tool_calls"
        : outcome.stopReason,
      steps: outcome.steps,
      final_answer: outcome.finalAnswer ?? null,
      ...(why !== undefined ? { error: why } : {}),
      trace_dir: facts.traceDir ?? null,
    }));
    return code;
  }
  io.stdout("");
  if (facts.traceDir !== undefined) io.stdout(`  Trace: ${facts.traceDir}`);
  if (code === 0) {
    io.stdout(
      paint(
        tty,
        "green",
        `✓ done in ${plural(outcome.steps, "step")}: ${
          typeof outcome.finalAnswer === "string"
            ? outcome.finalAnswer
            : JSON.stringify(outcome.finalAnswer)
        }`,
      ),
    );
    return 0;
  }
  io.stderr(`error: ${why}`);
  return code;
}

function summary(args: Record<string, unknown>): string {
  const text = Object.entries(args).map(([key, value]) =>
    `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`
  ).join(", ").replace(/\s+/g, " ");
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function stepJson(step: Step): Record<string, unknown> {
  return {
    type: "step",
    number: step.number,
    turn: step.turn,
    tool: step.call.tool,
    args: step.call.args,
    ok: !step.failed,
    ...(step.result.error !== undefined ? { error: step.result.error } : {}),
    ...(step.result.errorKind !== undefined ? { error_kind: step.result.errorKind } : {}),
    data: step.result.data ?? null,
    duration_ms: Math.round(step.durationMs),
  };
}

/** `--stream`: the model's text, printed line by line as it arrives. */
function streamPrinter(
  enabled: boolean,
  print: (text: string) => void,
  live: LiveLine,
): { delta(delta: { type: string; text?: string }): void; flush(): void } {
  let pending = "";
  return {
    delta(delta) {
      if (!enabled || (delta.type !== "text" && delta.type !== "reasoning")) return;
      pending += delta.text ?? "";
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (lines.length > 0) live.clear();
      for (const line of lines) print(`  │ ${line}`);
    },
    flush() {
      if (!enabled || pending === "") return;
      live.clear();
      print(`  │ ${pending}`);
      pending = "";
    },
  };
}

function renderLine(
  step: Step,
  render: ((step: Step) => string | undefined | null) | undefined,
  tty: boolean,
): string {
  const custom = render?.(step);
  if (typeof custom === "string" && custom !== "") return custom;
  let line = step.pretty();
  const error = step.result.error;
  // pretty() cuts errors to 80 characters; show the whole message, it says what to fix.
  if (error !== undefined && error.length > 80) line += `\n    ${error.replace(/\n/g, "\n    ")}`;
  if (!tty) return line;
  return step.failed
    ? paint(true, "red", line)
    : line.replace(" ✓ ", ` ${paint(true, "green", "✓")} `);
}
