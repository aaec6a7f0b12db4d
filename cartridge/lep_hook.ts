import type { Hook, HookDecision } from "../loop/types.ts";
import { clip, JsonLineChannel } from "./_json_lines.ts";
import { type ServerProcess, spawnServer } from "./_server_process.ts";

/** The LEP version this host speaks. */
export const LEP_VERSION = "0.1";

/**
 * Options of `lepHook`.
 *
 * @example A permission server in Python
 * ```ts
 * import type { LepHookOptions } from "jsr:@looplet/looplet/cartridge";
 * const options: LepHookOptions = {
 *   name: "10_guard",
 *   argv: ["python3", "hooks/10_guard/server.py"],
 *   cwd: ".",
 *   onFailure: "fail_closed",
 *   timeoutMs: 10_000,
 * };
 * ```
 */
export interface LepHookOptions {
  /** Name for messages (the hook folder). */
  readonly name: string;
  /** The server command. */
  readonly argv: readonly string[];
  /** Working folder of the server. */
  readonly cwd: string;
  /** The server's whole environment. @default {} */
  readonly env?: Record<string, string>;
  /** What authority slots do when the server fails. @default "fail_closed" */
  readonly onFailure?: "fail_closed" | "fail_open" | "continue";
  /** Per-request timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** Correlation id sent in `loop/initialize`. @default "lep-run" */
  readonly runId?: string;
  /** Cartridge name sent in `loop/initialize`. @default "lep" */
  readonly cartridgeId?: string;
  /** The view fields the server subscribed to: payloads carry only these. @default every field */
  readonly viewFields?: readonly string[];
}

/**
 * A hook backed by an LEP server, with its lifecycle exposed.
 *
 * @example Close the server when done with the hook
 * ```ts ignore
 * const hook: LepHook = lepHook({ name: "guard", argv: ["python3", "guard.py"], cwd: "." });
 * try {
 *   await composableLoop({ llm, tools, task, hooks: [hook] }).complete();
 * } finally {
 *   await hook.close();
 * }
 * ```
 */
export interface LepHook extends Hook {
  /** The slots the server declared in `loop/initialize` (empty before start or on failure). */
  readonly slots: readonly string[];
  /** Why the server is unavailable, when it is. */
  readonly failure: string | undefined;
  /** The process id of the server of the current (or last) run, once started. */
  readonly pid: number | undefined;
  /** Stop the server (also done at the end of each run). */
  close(): Promise<void>;
}

/**
 * An LEP effect as this host reads it off the wire.
 *
 * @example A denial
 * ```ts
 * import type { LepEffect } from "jsr:@looplet/looplet/cartridge";
 * const effect: LepEffect = { block: "Mallory may not be greeted" };
 * ```
 */
export interface LepEffect {
  /** Refuse the call or the done (the text goes to the model). */
  readonly block?: string;
  /** End the run with this reason. */
  readonly stop?: string;
  /** Replace the call's arguments. */
  readonly args?: Record<string, unknown>;
  /** Short-circuit or replace the result. */
  readonly result?: unknown;
  /** Text for the model's next prompt. */
  readonly inject?: string;
  /** An explicit allow. */
  readonly allow?: boolean;
}

function text(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === "string" && value !== "") return value;
  return undefined;
}

/**
 * Read an effect off the wire (the Python `HookDecision.to_wire` shapes:
 * `{ kind: "Continue" | "Allow" | "Deny" | "Block" | "Stop" | "InjectContext" |
 * "UpdateArgs" | "UpdateResult" | "HookDecision", reason?, text?, ... }`).
 *
 * @param effect The `effect` of a `loop/event` result.
 * @returns The effect; undefined for no opinion; `"malformed"` for anything else.
 */
export function effectFromWire(effect: unknown): LepEffect | undefined | "malformed" {
  if (effect === null || effect === undefined) return undefined;
  if (typeof effect !== "object" || Array.isArray(effect)) return "malformed";
  const wire = effect as Record<string, unknown>;
  const kind = String(wire.kind ?? wire.type ?? "HookDecision").toLowerCase().replace(/[_-]/g, "");
  const reason = text(wire.reason, wire.block, wire.message);
  const inject = text(wire.additional_context, wire.text, wire.context);
  const args = wire.updated_args ?? wire.args;
  const result = wire.updated_result ?? wire.result;
  switch (kind) {
    case "continue":
      return inject ? { inject } : undefined;
    case "allow":
      return {
        allow: true,
        ...(args && typeof args === "object" ? { args: args as Record<string, unknown> } : {}),
      };
    case "deny":
    case "block":
      return { block: reason ?? "refused by the hook" };
    case "stop":
      return { stop: text(wire.stop, wire.reason) ?? "hook_stop" };
    case "injectcontext":
    case "inject":
      return inject ? { inject } : "malformed";
    case "updateargs":
      return args && typeof args === "object"
        ? { args: args as Record<string, unknown> }
        : "malformed";
    case "updateresult":
      return result !== undefined ? { result } : "malformed";
    case "hookdecision": {
      const denied = wire.permission === "deny";
      const out: LepEffect = {
        ...(typeof wire.block === "string" || denied
          ? { block: text(wire.block, wire.reason) ?? "refused by the hook" }
          : {}),
        ...(typeof wire.stop === "string" ? { stop: wire.stop } : {}),
        ...(wire.updated_args && typeof wire.updated_args === "object"
          ? { args: wire.updated_args as Record<string, unknown> }
          : {}),
        ...(wire.updated_result !== undefined && wire.updated_result !== null
          ? { result: wire.updated_result }
          : {}),
        ...(inject ? { inject } : {}),
      };
      return Object.keys(out).length === 0 ? undefined : out;
    }
    default:
      return "malformed";
  }
}

/**
 * A hook whose decisions come from an LEP (Loop Effect Protocol) server: a
 * separate process, in any language, speaking line-delimited JSON-RPC on
 * its stdin/stdout. The server starts when the run starts (`loop/initialize`
 * with the run id; its answer lists the slots it implements), gets one
 * `loop/event` `{ slot, type, step, payload }` per slot it declared, and
 * `loop/shutdown` when the run ends. Slots map onto this loop's hooks:
 * `check_permission` and `pre_dispatch` → `preDispatch` (deny, rewrite args,
 * short-circuit the result, inject), `check_done` → `checkDone`,
 * `post_dispatch` → `postDispatch`, `pre_prompt` → `prePrompt`,
 * `should_stop` → `shouldStop`. The payload is the `{ tool, args }` view
 * (plus `result` and `error` after dispatch).
 *
 * A server that cannot start, never answers, writes something that is not
 * JSON, returns a malformed effect, or dies is never waited on twice: it is
 * stopped, and every later authority slot (permission, pre-dispatch, done)
 * follows `onFailure` at once: `fail_closed` refuses the call (the model
 * reads why), `fail_open` and `continue` let it through.
 *
 * @param options Server command, folder, environment, failure policy, timeout.
 * @returns The hook; `close()` stops the server.
 * @example Guard a run with an LEP server
 * ```ts ignore
 * const guard = lepHook({ name: "guard", argv: ["python3", "guard.py"], cwd: "." });
 * const run = composableLoop({ llm, tools, task, hooks: [guard] });
 * ```
 */
export function lepHook(options: LepHookOptions): LepHook {
  const {
    name,
    argv,
    cwd,
    env = {},
    onFailure = "fail_closed",
    timeoutMs = 10_000,
    runId = "lep-run",
    cartridgeId = "lep",
    viewFields,
  } = options;
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new TypeError(`Cannot make LEP hook "${name}": 'argv' must name a program`);
  }
  let server: ServerProcess | undefined;
  let channel: JsonLineChannel | undefined;
  let starting: Promise<void> | undefined;
  let failure: string | undefined;
  let slots: string[] = [];
  let pid: number | undefined;
  let stops = 0;

  const stop = async () => {
    stops++;
    const current = server;
    const wire = channel;
    server = undefined;
    channel = undefined;
    starting = undefined;
    if (current === undefined) return;
    if (wire && wire.broken === undefined && !current.exited()) {
      await wire.request(
        "loop/shutdown",
        { run_id: runId, outcome: "ok" },
        Math.min(timeoutMs, 2000),
      )
        .catch(() => {});
    }
    await wire?.closeWriter();
    await current.terminate();
    await wire?.ended;
  };

  const start = () => {
    starting ??= (async () => {
      const seen = stops;
      let current: ServerProcess;
      try {
        current = await spawnServer(argv, { cwd, env, stdin: "piped" });
      } catch (error) {
        failure = (error as Error).message;
        return;
      }
      // Stopped while the program was starting: nothing else will end it.
      if (stops !== seen) return await current.terminate();
      server = current;
      pid = current.child.pid;
      channel = new JsonLineChannel(current.child.stdout, current.child.stdin, {
        onEnd: () => current.describeEnd(),
        onBreak: (reason) => {
          failure ??= reason;
          current.terminate().catch(() => {});
        },
      });
      try {
        const result = await channel.request("loop/initialize", {
          cartridge_id: cartridgeId,
          run_id: runId,
          lep_version: LEP_VERSION,
          view: { fields: viewFields ?? ["tool", "args"], fidelity: "digest" },
        }, timeoutMs) as Record<string, unknown> | null;
        const capabilities = (result?.server_capabilities ?? result ?? {}) as { slots?: unknown };
        slots = Array.isArray(capabilities.slots)
          ? capabilities.slots.filter((slot): slot is string => typeof slot === "string")
          : [];
      } catch (error) {
        failure ??= (error as Error).message;
        if (!/loop\/initialize/.test(failure)) failure = `${failure} (during loop/initialize)`;
      }
    })();
    return starting;
  };

  const unavailable = (slot: string): LepEffect | undefined => {
    if (onFailure !== "fail_closed") return undefined;
    if (slot === "pre_dispatch" || slot === "check_permission" || slot === "check_done") {
      return {
        block: `LEP hook "${name}" is unavailable (the server ${
          failure ?? "failed"
        }); failing closed`,
      };
    }
    return undefined;
  };

  const ask = async (
    slot: string,
    step: number,
    payload: Record<string, unknown>,
  ): Promise<LepEffect | undefined> => {
    await start();
    // Before a successful loop/initialize the slots are unknown: every authority slot follows
    // onFailure. After it, only the slots the server declared do.
    if (failure !== undefined || channel === undefined) {
      return slots.length === 0 || slots.includes(slot) ? unavailable(slot) : undefined;
    }
    if (!slots.includes(slot)) return undefined;
    const view = viewFields === undefined
      ? payload
      : Object.fromEntries(Object.entries(payload).filter(([key]) => viewFields.includes(key)));
    let result: unknown;
    try {
      result = await channel.request(
        "loop/event",
        { slot, type: slot, step, payload: view },
        timeoutMs,
      );
    } catch (error) {
      failure ??= (error as Error).message;
      return unavailable(slot);
    }
    const effect = effectFromWire((result as { effect?: unknown } | null)?.effect);
    if (effect === "malformed") {
      failure = `returned a malformed effect for "${slot}": ${
        clip(JSON.stringify((result as { effect?: unknown } | null)?.effect), 120)
      }`;
      channel.fail(failure);
      return unavailable(slot);
    }
    return effect;
  };

  return {
    name: `lep:${name}`,
    get slots() {
      return slots;
    },
    get failure() {
      return failure;
    },
    get pid() {
      return pid;
    },
    close: stop,
    async onLoopStart() {
      failure = undefined;
      slots = [];
      await start();
    },
    async prePrompt({ turn, state }) {
      const effect = await ask("pre_prompt", state.steps.length + 1, { turn });
      return effect?.inject ? { inject: effect.inject } : undefined;
    },
    async preDispatch({ call, step }) {
      const view = { tool: call.name, args: call.args };
      const permission = await ask("check_permission", step, view);
      if (permission?.block !== undefined) return { deny: permission.block };
      const effect = await ask("pre_dispatch", step, view);
      if (effect === undefined) return undefined;
      if (effect.block !== undefined) return { deny: effect.block };
      const decision: { -readonly [K in keyof HookDecision]: HookDecision[K] } = {};
      if (effect.result !== undefined) decision.result = effect.result;
      else if (effect.args !== undefined) decision.args = effect.args;
      if (effect.inject !== undefined) decision.inject = effect.inject;
      return Object.keys(decision).length > 0 ? decision : undefined;
    },
    async checkDone({ call, step }) {
      const effect = await ask("check_done", step, { tool: call.name, args: call.args });
      if (effect?.block !== undefined) return { deny: effect.block };
      return effect?.inject ? { inject: effect.inject } : undefined;
    },
    async postDispatch({ call, step, result }) {
      const effect = await ask("post_dispatch", step, {
        tool: call.name,
        args: call.args,
        result: result.data,
        error: result.error ?? null,
      });
      if (effect === undefined) return undefined;
      const decision: { -readonly [K in keyof HookDecision]: HookDecision[K] } = {};
      if (effect.result !== undefined) decision.result = effect.result;
      if (effect.inject !== undefined) decision.inject = effect.inject;
      if (effect.stop !== undefined) decision.stop = effect.stop;
      return Object.keys(decision).length > 0 ? decision : undefined;
    },
    async shouldStop({ turn, state }) {
      const effect = await ask("should_stop", state.steps.length, { turn });
      return effect?.stop !== undefined ? { stop: effect.stop } : undefined;
    },
    async onLoopEnd() {
      await stop();
    },
  };
}
