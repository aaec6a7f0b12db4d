import { answerToDecision } from "./_approval_answer.ts";
import type { ApprovalCallback } from "./approval_callback.ts";
import type { Hook, ToolCallRequest } from "../loop/types.ts";

/**
 * What a permission rule decides.
 *
 * @example The default for unmatched calls
 * ```ts
 * import type { PermissionDecision } from "jsr:@looplet/looplet/hooks";
 * const fallback: PermissionDecision = "ask";
 * ```
 */
export type PermissionDecision = "allow" | "deny" | "ask";

/**
 * A test of one argument: a glob over its text (`*` any run), a RegExp, or a predicate.
 *
 * @example A glob, a RegExp and a predicate
 * ```ts
 * import type { ArgPattern } from "jsr:@looplet/looplet/hooks";
 * const path: ArgPattern = "/tmp/*";
 * const url: ArgPattern = /^https:\/\/api\.example\.com\//;
 * const rows: ArgPattern = (value) => typeof value === "number" && value <= 100;
 * ```
 */
export type ArgPattern = string | RegExp | ((value: unknown) => boolean);

/**
 * One rule; the first rule that matches a call decides.
 *
 * @example Deny shell commands that remove files
 * ```ts
 * import type { PermissionRule } from "jsr:@looplet/looplet/hooks";
 * const rule: PermissionRule = {
 *   tool: "run_shell",
 *   decision: "deny",
 *   args: { command: /\brm\s/ },
 *   reason: "Removing files is not allowed",
 * };
 * ```
 */
export interface PermissionRule {
  /** Tool name, or a glob such as `"write_*"` or `"*"`. */
  readonly tool: string;
  /** What to do with a matching call. */
  readonly decision: PermissionDecision;
  /** Argument patterns (all must match), or a predicate over the arguments. */
  readonly args?:
    | Readonly<Record<string, ArgPattern>>
    | ((args: Readonly<Record<string, unknown>>) => boolean);
  /** Told to the model (deny) or the approver (ask). */
  readonly reason?: string;
}

/**
 * What the engine decided for a call, and why.
 *
 * @example Check a call before running it
 * ```ts
 * import { permissionHook } from "jsr:@looplet/looplet/hooks";
 * const permissions = permissionHook({ rules: [{ tool: "read_*", decision: "allow" }] });
 * const call = { id: "1", name: "delete_rows", args: {} };
 * const { decision, rule, reason } = permissions.evaluate(call);
 * // decision "deny", rule undefined, reason "no rule matched; the default is deny"
 * ```
 */
export interface PermissionOutcome {
  /** The decision. */
  readonly decision: PermissionDecision;
  /** The rule that matched; undefined when the default applied. */
  readonly rule?: PermissionRule;
  /** The reason text. */
  readonly reason: string;
}

/**
 * A denied call, as kept in `denials`.
 *
 * @example List what was refused
 * ```ts ignore
 * await composableLoop({ llm, tools, task, hooks: [permissions] }).complete();
 * for (const { tool, args, reason } of permissions.denials) {
 *   console.log(tool, JSON.stringify(args), reason);
 * }
 * ```
 */
export interface PermissionDenial {
  /** Tool name. */
  readonly tool: string;
  /** Arguments. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The reason the model was told. */
  readonly reason: string;
}

/**
 * Options of `permissionHook`.
 *
 * @example Ask a human for anything unmatched
 * ```ts ignore
 * const permissions = permissionHook({
 *   rules: [{ tool: "read_*", decision: "allow" }],
 *   default: "ask",
 *   ask: ({ call, reason }) => confirm(`${call.name}: ${reason}`),
 * });
 * ```
 */
export interface PermissionHookOptions {
  /** Rules, in order; the first match wins. */
  readonly rules: readonly PermissionRule[];
  /** Decision when no rule matches. @default "deny" */
  readonly default?: PermissionDecision;
  /** Asked for `ask` decisions; without it, `ask` pauses the run awaiting approval. */
  readonly ask?: ApprovalCallback;
}

/**
 * The permission hook, with its engine exposed.
 *
 * @example Evaluate, then count denials
 * ```ts ignore
 * const rules: PermissionRule[] = [{ tool: "read_*", decision: "allow" }];
 * const permissions: PermissionHook = permissionHook({ rules });
 * permissions.evaluate({ id: "1", name: "write_file", args: {} }).decision; // "deny"
 * await composableLoop({ llm, tools, task, hooks: [permissions] }).complete();
 * console.log(permissions.denials.length);
 * ```
 */
export interface PermissionHook extends Hook {
  /** Evaluate a call without running it. */
  evaluate(call: ToolCallRequest): PermissionOutcome;
  /** Calls denied so far in this hook's life. */
  readonly denials: readonly PermissionDenial[];
}

/**
 * A rule engine over tool names and arguments: allow, deny or ask; the first
 * matching rule wins, then the default. A denial goes back to the model as a
 * failed result (`permission_denied`) with the rule's reason. An argument
 * pattern that throws counts as a match for `deny` rules and as no match for
 * others (fail closed).
 *
 * @param options Rules, default and approver.
 * @returns The hook, with `evaluate(call)` and `denials`.
 * @throws {TypeError} When a rule is malformed (the message names the rule).
 * @example Allow reads, ask before writes under /etc, deny the rest
 * ```ts
 * import { permissionHook } from "jsr:@looplet/looplet/hooks";
 * const permissions = permissionHook({
 *   rules: [
 *     { tool: "read_*", decision: "allow" },
 *     { tool: "write_file", decision: "ask", args: { path: "/etc/*" } },
 *     { tool: "write_file", decision: "allow" },
 *   ],
 *   default: "deny",
 * });
 * permissions.evaluate({ id: "1", name: "read_file", args: { path: "a" } }).decision; // "allow"
 * ```
 */
export function permissionHook(options: PermissionHookOptions): PermissionHook {
  const { rules, default: fallback = "deny", ask } = options ?? {};
  if (!Array.isArray(rules)) {
    throw new TypeError("Cannot make permission hook: 'rules' must be an array of rules");
  }
  const compiled = rules.map((rule, index) => compileRule(rule, index));
  if (!DECISIONS.has(fallback)) {
    throw new TypeError(
      `Cannot make permission hook: 'default' must be "allow", "deny" or "ask", got ${
        JSON.stringify(fallback)
      }`,
    );
  }
  const denials: PermissionDenial[] = [];
  const evaluate = (call: ToolCallRequest): PermissionOutcome => {
    for (const { rule, matches } of compiled) {
      if (!matches(call)) continue;
      return {
        decision: rule.decision,
        rule,
        reason: rule.reason ?? `rule for "${rule.tool}" says ${rule.decision}`,
      };
    }
    return { decision: fallback, reason: `no rule matched; the default is ${fallback}` };
  };
  return {
    name: "permissions",
    denials,
    evaluate,
    async preDispatch({ call, step, signal }) {
      const outcome = evaluate(call);
      if (outcome.decision === "allow") return;
      if (outcome.decision === "deny") {
        const reason = `Permission denied for "${call.name}": ${outcome.reason}`;
        denials.push({ tool: call.name, args: call.args, reason });
        return { deny: reason };
      }
      const why = `"${call.name}" needs approval: ${outcome.reason}`;
      if (ask === undefined) return { pause: why };
      const decision = answerToDecision(await ask({ call, step, reason: why, signal }), call, why);
      if (decision !== undefined && "deny" in decision) {
        denials.push({ tool: call.name, args: call.args, reason: decision.deny });
      }
      return decision;
    },
  };
}

const DECISIONS = new Set<string>(["allow", "deny", "ask"]);

function glob(pattern: string): RegExp {
  const body = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

function compileRule(
  rule: PermissionRule,
  index: number,
): { rule: PermissionRule; matches: (call: ToolCallRequest) => boolean } {
  const where = `Cannot make permission hook: rules[${index}]`;
  if (typeof rule !== "object" || rule === null || typeof rule.tool !== "string") {
    throw new TypeError(`${where} must be { tool, decision, args?, reason? }`);
  }
  if (!DECISIONS.has(rule.decision)) {
    throw new TypeError(
      `${where} has decision ${JSON.stringify(rule.decision)}; use "allow", "deny" or "ask"`,
    );
  }
  const tool = glob(rule.tool);
  let argsMatch: (args: Readonly<Record<string, unknown>>) => boolean;
  if (rule.args === undefined) argsMatch = () => true;
  else if (typeof rule.args === "function") argsMatch = rule.args;
  else if (typeof rule.args === "object" && rule.args !== null) {
    const tests = Object.entries(rule.args).map(([key, pattern]) => {
      let test: (value: unknown) => boolean;
      if (typeof pattern === "function") test = pattern;
      else if (pattern instanceof RegExp) {
        test = (value) => typeof value === "string" && pattern.test(value);
      } else if (typeof pattern === "string") {
        const regex = glob(pattern);
        test = (value) =>
          value !== undefined &&
          regex.test(typeof value === "string" ? value : JSON.stringify(value));
      } else {
        throw new TypeError(
          `${where}.args.${key} must be a glob string, a RegExp or a (value) => boolean`,
        );
      }
      return (args: Readonly<Record<string, unknown>>) => key in args && test(args[key]);
    });
    argsMatch = (args) => tests.every((test) => test(args));
  } else {
    throw new TypeError(`${where}.args must be an object of patterns or a (args) => boolean`);
  }
  const failClosed = rule.decision === "deny";
  return {
    rule,
    matches: (call) => {
      if (!tool.test(call.name)) return false;
      try {
        return argsMatch(call.args) === true;
      } catch {
        return failClosed;
      }
    },
  };
}
