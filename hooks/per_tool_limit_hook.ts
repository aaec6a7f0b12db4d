import type { Hook } from "../loop/types.ts";

/**
 * Options of `perToolLimitHook`.
 *
 * @example Never fetch, search at most three times
 * ```ts
 * import { perToolLimitHook } from "jsr:@looplet/looplet/hooks";
 * const hook = perToolLimitHook({ limits: { fetch_url: 0, search: 3 } });
 * ```
 */
export interface PerToolLimitHookOptions {
  /** Most calls per tool name. */
  readonly limits?: Readonly<Record<string, number>>;
  /** Most calls of any tool not in `limits`. @default unlimited */
  readonly defaultLimit?: number;
}

/**
 * Cap how often each tool may be called in a run (attempts count, not
 * successes). Over the cap, the call is refused and the model is told to try
 * something else. Counts include the steps of a resumed run (those still in
 * `state.steps`: with `keepSteps`, only the newest).
 *
 * @param options Per-tool limits and a default.
 * @returns The hook.
 * @throws {TypeError} When neither `limits` nor `defaultLimit` is given.
 * @throws {RangeError} When a limit is not a non-negative integer.
 * @example
 * ```ts
 * import { perToolLimitHook } from "jsr:@looplet/looplet/hooks";
 * const hook = perToolLimitHook({ limits: { search: 5 }, defaultLimit: 20 });
 * ```
 */
export function perToolLimitHook(options: PerToolLimitHookOptions): Hook {
  const { limits = {}, defaultLimit } = options ?? {};
  if (options?.limits === undefined && defaultLimit === undefined) {
    throw new TypeError("Cannot make per-tool limit hook: give 'limits', 'defaultLimit' or both");
  }
  for (const [name, limit] of Object.entries({ ...limits, defaultLimit })) {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new RangeError(
        `Cannot make per-tool limit hook: the limit for "${name}" must be a non-negative integer, got ${limit}`,
      );
    }
  }
  let counts = new Map<string, number>();
  return {
    name: "per-tool-limit",
    onLoopStart({ state }) {
      counts = new Map();
      for (const step of state.steps) {
        counts.set(step.call.tool, (counts.get(step.call.tool) ?? 0) + 1);
      }
    },
    preDispatch({ call }) {
      const limit = Object.hasOwn(limits, call.name) ? limits[call.name] : defaultLimit;
      const used = counts.get(call.name) ?? 0;
      if (limit !== undefined && used >= limit) {
        return {
          deny:
            `Tool "${call.name}" reached its limit for this run (${used}/${limit}). Try a different approach.`,
        };
      }
      counts.set(call.name, used + 1);
    },
  };
}
