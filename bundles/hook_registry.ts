import { z } from "zod";
import type { Hook } from "../loop/types.ts";
import type { CommandPolicy } from "../tools/workspace/run_command.ts";
import type { BundleProblem } from "./bundle_error.ts";
import type { HookSpec } from "./bundle_manifest.ts";
import { type ConfiguredHook, testGuard } from "./test_guard.ts";

/**
 * What a hook factory receives besides its JSON config.
 *
 * @example Make a hook for the run's workspace
 * ```ts ignore
 * HOOK_FACTORIES.set("lint-guard", (_config, { workspace }) =>
 *   testGuard({ workspace, command: "deno lint" })
 * );
 * ```
 */
export interface HookFactoryContext {
  /** The run's workspace folder. */
  readonly workspace: string;
  /** The run's command policy (sandbox, network, passed variables). @default {} */
  readonly commands?: CommandPolicy;
}

/**
 * Makes a hook from the JSON `config` of a `hooks/hooks.json` entry; throws on bad config.
 *
 * @example Register a factory that bundles can name in `hooks/hooks.json`
 * ```ts
 * import { HOOK_FACTORIES, type HookFactory } from "jsr:@looplet/looplet/bundles";
 * const quiet: HookFactory = (config) => ({ name: `quiet-${String(config.level ?? "all")}` });
 * HOOK_FACTORIES.set("quiet", quiet);
 * ```
 */
export type HookFactory = (config: Record<string, unknown>, context: HookFactoryContext) => Hook;

const TestGuardConfig = z.strictObject({
  command: z.string().min(1).optional(),
  timeout_ms: z.number().positive().optional(),
});

const DenyToolsConfig = z.strictObject({
  tools: z.array(z.string()).min(1),
  reason: z.string().optional(),
});

function parsed<T>(schema: z.ZodType<T>, config: Record<string, unknown>): T {
  const result = schema.safeParse(config);
  if (!result.success) throw new TypeError(z.prettifyError(result.error).replace(/\n/g, "; "));
  return result.data;
}

function denyTools(config: Record<string, unknown>): ConfiguredHook {
  const { tools, reason } = parsed(DenyToolsConfig, config);
  return {
    name: "deny-tools",
    config: { tools, ...(reason ? { reason } : {}) },
    preDispatch: ({ call }) =>
      tools.includes(call.name)
        ? { deny: reason ?? `Tool "${call.name}" is not allowed in this bundle` }
        : undefined,
  };
}

/**
 * Hook factories a bundle can name in `hooks/hooks.json`, by name. Add your
 * own with `HOOK_FACTORIES.set(name, factory)` before loading bundles.
 *
 * - `test-guard` `{ command?, timeout_ms? }`: reject `done` until the tests pass.
 * - `deny-tools` `{ tools, reason? }`: refuse calls to the listed tools.
 *
 * @example
 * ```ts ignore
 * HOOK_FACTORIES.set("quiet", () => ({ name: "quiet" }));
 * ```
 */
export const HOOK_FACTORIES: Map<string, HookFactory> = new Map<string, HookFactory>([
  ["test-guard", (config, { workspace, commands }) => {
    const { command, timeout_ms } = parsed(TestGuardConfig, config);
    return testGuard({
      ...commands,
      workspace,
      ...(command ? { command } : {}),
      ...(timeout_ms ? { timeoutMs: timeout_ms } : {}),
    });
  }],
  ["deny-tools", (config) => denyTools(config)],
]);

/**
 * Make the hooks a bundle declares in `hooks/hooks.json` with
 * {@linkcode HOOK_FACTORIES}. An unknown name, or a config its factory
 * refuses, becomes a problem naming the entry instead of a hook.
 *
 * @param specs The declared entries, in file order.
 * @param where The `hooks/hooks.json` path to name in problems.
 * @param context What each factory receives besides its config.
 * @returns The hooks made and the problems found.
 * @example Check a folder's declared hooks
 * ```ts ignore
 * const { problems } = declaredHooks(folder.hooks, `${folder.displayRoot}/hooks/hooks.json`, {
 *   workspace: folder.root,
 * });
 * ```
 */
export function declaredHooks(
  specs: readonly HookSpec[],
  where: string,
  context: HookFactoryContext,
): { hooks: Hook[]; problems: BundleProblem[] } {
  const hooks: Hook[] = [];
  const problems: BundleProblem[] = [];
  specs.forEach((spec, index) => {
    const factory = HOOK_FACTORIES.get(spec.use);
    if (factory === undefined) {
      problems.push({
        path: where,
        field: `hooks[${index}].use`,
        message: `unknown hook "${spec.use}"; known hooks: ${
          [...HOOK_FACTORIES.keys()].join(", ")
        }`,
      });
      return;
    }
    try {
      hooks.push(factory(spec.config ?? {}, context));
    } catch (error) {
      problems.push({
        path: where,
        field: `hooks[${index}].config`,
        message: (error as Error).message,
      });
    }
  });
  return { hooks, problems };
}
