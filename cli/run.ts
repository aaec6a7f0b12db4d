import { cp, mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import type { CliContext } from "./types.ts";
import { parseCommand, positiveInteger, resolveBundle, UsageError } from "./args.ts";
import { composableLoop } from "../loop/composable_loop.ts";
import type { Backend, Hook, LoopEvent } from "../loop/types.ts";
import { ScriptedBackend, type ScriptedResponse } from "../backends/scripted.ts";
import type { Step } from "../loop/step.ts";
import { bundleNameProblem } from "../bundles/bundle_name.ts";
import { bundleRuntime } from "../bundles/load_bundle.ts";
import {
  agentScriptedResponses,
  buildAgent,
  loadCartridgeOrBundle,
} from "../cartridge/load_agent.ts";

const COLOURS = { green: 32, red: 31, dim: 2, bold: 1, cyan: 36, yellow: 33 } as const;

function paint(on: boolean, colour: keyof typeof COLOURS, text: string): string {
  return on ? `\x1b[${COLOURS[colour]}m${text}\x1b[0m` : text;
}

/** A spinner on the terminal while the model thinks; does nothing off a TTY. */
function spinner(enabled: boolean): { start(label: string): void; stop(): void } {
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let timer: ReturnType<typeof setInterval> | undefined;
  const write = (text: string) => process.stdout.write(text);
  return {
    start(label) {
      if (!enabled || timer) return;
      let index = 0;
      const started = Date.now();
      timer = setInterval(() => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        write(`\r\x1b[2K${frames[index++ % frames.length]} ${label} ${seconds}s`);
      }, 80);
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      timer = undefined;
      write("\r\x1b[2K");
    },
  };
}

function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("").slice(0, length);
}

/**
 * `looplet run <bundle> <task>`: load and build the bundle, pick the model
 * (scripted replies, or the injected `backendFromEnv`), probe native tools,
 * run the loop with a live step trace, and return 0 only when the run ends
 * with an accepted `done`.
 *
 * @param args Arguments after `run`.
 * @param context Output, environment and injected dependencies.
 * @returns The exit code.
 * @throws {UsageError} On bad options (the CLI prints the usage line, exit 2).
 * @throws {BundleError} When the bundle is invalid (exit 1).
 * @example
 * ```ts ignore
 * await main(["run", "examples/skills/coder", "Fix the tests", "--scripted"]);
 * ```
 */
export async function cliRun(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommand("run", args, {
    workspace: { type: "string", short: "w" },
    "copy-workspace": { type: "string" },
    "max-steps": { type: "string" },
    scripted: { type: "boolean" },
    "scripted-response": { type: "string", multiple: true },
    "trace-dir": { type: "string" },
    "no-trace": { type: "boolean" },
    model: { type: "string" },
    "base-url": { type: "string" },
    provider: { type: "string" },
    "no-tests": { type: "boolean" },
  }, { min: 2, max: 2, names: "a bundle folder and a task" });
  const { io, deps, env, tty } = context;
  const [bundlePath, task] = positionals;
  if (task.trim() === "") throw new UsageError("the task must not be empty", "run");
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
  const scripted = Boolean(values.scripted) || explicitResponses.length > 0;

  const agentPath = await resolveBundle(bundlePath);

  // Workspace: given, a fresh copy of a folder, or the current folder.
  let workspace = resolve((values.workspace as string | undefined) ?? ".");
  if (values["copy-workspace"] !== undefined) {
    const source = resolve(values["copy-workspace"] as string);
    if (!(await stat(source).then((info) => info.isDirectory(), () => false))) {
      throw new Error(`Cannot copy workspace "${values["copy-workspace"]}": it is not a folder`);
    }
    workspace = join(await mkdtemp(join(tmpdir(), "looplet-workspace-")), basename(source));
    await cp(source, workspace, { recursive: true });
  } else if (!(await stat(workspace).then((info) => info.isDirectory(), () => false))) {
    throw new Error(
      `Cannot use workspace "${values.workspace}": it is not a folder; create it or pass another --workspace`,
    );
  }

  const source = await loadCartridgeOrBundle(agentPath, { workspace });
  for (const warning of source.warnings) io.stderr(`warning: ${warning}`);
  const bundle = source.kind === "bundle" ? source.bundle : undefined;

  // Model.
  let llm: Backend;
  let responses: ScriptedResponse[] | undefined;
  let modelLabel: string;
  let protocol = "native";
  let probeReason = "scripted backend declares native tools";
  if (scripted) {
    responses = explicitResponses.length > 0
      ? explicitResponses
      : await agentScriptedResponses(source);
    llm = new ScriptedBackend(responses);
    modelLabel = `scripted (${responses.length} replies)`;
  } else {
    if (!deps.backendFromEnv) {
      throw new Error(
        "No model is configured in this build; run with --scripted to replay the bundle's script, or use a looplet build with model backends (set OPENAI_BASE_URL and OPENAI_MODEL)",
      );
    }
    llm = await deps.backendFromEnv(env, {
      ...(values.model ? { model: values.model as string } : {}),
      ...(values["base-url"] ? { baseUrl: values["base-url"] as string } : {}),
      ...(values.provider ? { provider: values.provider as string } : {}),
    });
    modelLabel = `${llm.name}`;
    protocol = llm.capabilities.nativeTools ? "native" : "json-text";
    probeReason = "not probed";
    if (deps.probeNativeTools && llm.capabilities.nativeTools) {
      const probe = await deps.probeNativeTools(llm);
      probeReason = probe.reason;
      if (!probe.nativeTools) {
        const base = llm;
        llm = {
          name: base.name,
          capabilities: { ...base.capabilities, nativeTools: false },
          generate: (request, options) => base.generate(request, options),
        };
        protocol = "json-text";
      }
    }
  }

  const runtimeOptions = {
    require_tests: !values["no-tests"],
    use_native_tools: protocol === "native",
  };
  // The name becomes a folder name: never let it point elsewhere (loadBundle checks it too).
  const nameProblem = bundleNameProblem(source.name);
  if (nameProblem !== undefined) throw new Error(`Cannot run "${source.name}": ${nameProblem}`);
  const traceDir = values["no-trace"] ? undefined : (values["trace-dir"] as string | undefined) ??
    (deps.trace
      ? join(workspace, ".looplet", "traces", `${source.name}-${randomHex(12)}`)
      : undefined);

  // A bundle that owns its run.
  if (bundle?.entrypoint?.run) {
    const runtime = bundleRuntime(bundle.folder.root, {
      workspace,
      maxSteps: maxStepsFlag ?? bundle.folder.maxSteps ?? 20,
      scripted,
      options: runtimeOptions,
    });
    const code = await bundle.entrypoint.run({
      task,
      runtime,
      ...(responses ? { scriptedResponses: responses } : {}),
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

  const agent = await buildAgent(source, {
    workspace,
    scripted,
    options: runtimeOptions,
    ...(maxStepsFlag ? { maxSteps: maxStepsFlag } : {}),
    ...(deps.connect ? { connect: deps.connect } : {}),
  });

  let sink;
  if (traceDir !== undefined) {
    if (deps.trace) sink = await deps.trace({ traceDir, bundle: source.name, task });
    else io.stderr("warning: tracing is not available in this build; --trace-dir is ignored");
  }
  if (sink?.wrap) llm = sink.wrap(llm);

  // The spinner writes to the real terminal, so only when output is not injected.
  const spin = spinner(tty && deps.stdout === undefined);
  const liveHook: Hook = {
    name: "cli-live-trace",
    events: ["model_call_start", "model_call_end", "tool_start"],
    onEvent(event: LoopEvent) {
      if (event.type === "model_call_start") spin.start("thinking");
      else if (event.type === "model_call_end" || event.type === "tool_start") spin.stop();
    },
  };

  io.stdout(paint(tty, "bold", `looplet run ${source.name}`));
  io.stdout(`  Task: ${task}`);
  io.stdout(`  Workspace: ${workspace}`);
  io.stdout(`  Model: ${modelLabel} | Budget: ${agent.maxSteps} steps`);
  io.stdout(`  Tool protocol: ${protocol} | Probe: ${probeReason}`);
  io.stdout("");

  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error("interrupted"));
  process.on?.("SIGINT", onInterrupt);
  const render = bundle?.entrypoint?.renderStep;
  let outcome;
  try {
    agent.bindBackend(llm);
    const run = composableLoop({
      llm,
      task,
      ...(agent.maxTokens !== undefined ? { maxTokens: agent.maxTokens } : {}),
      ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      tools: agent.tools,
      hooks: [...agent.hooks, ...(sink?.hooks ?? []), liveHook],
      systemPrompt: agent.systemPrompt,
      maxSteps: agent.maxSteps,
      metadata: agent.metadata,
      doneTool: agent.doneTool,
      signal: controller.signal,
    });
    for await (const step of run) {
      spin.stop();
      io.stdout(renderLine(step, render, tty));
    }
    outcome = await run.outcome;
  } finally {
    spin.stop();
    process.off?.("SIGINT", onInterrupt);
    await agent.close();
    await sink?.close();
  }
  io.stdout("");
  if (traceDir !== undefined && sink) io.stdout(`  Trace: ${traceDir}`);
  if (outcome.stopReason === "done") {
    io.stdout(
      paint(
        tty,
        "green",
        `✓ done in ${outcome.steps} steps: ${
          typeof outcome.finalAnswer === "string"
            ? outcome.finalAnswer
            : JSON.stringify(outcome.finalAnswer)
        }`,
      ),
    );
    return 0;
  }
  const why = outcome.stopReason === "llm_error"
    ? `the model call failed: ${outcome.error?.message ?? "unknown error"}`
    : outcome.stopReason === "max_steps"
    ? `the step budget ran out after ${outcome.steps} steps; raise --max-steps or simplify the task`
    : `the run stopped with '${outcome.stopReason}' after ${outcome.steps} steps`;
  io.stderr(`error: ${why}`);
  return 1;
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
