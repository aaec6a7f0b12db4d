import type { Hook, ResultContext } from "../loop/types.ts";

/**
 * Options of `stagnationHook`.
 *
 * @example Compare calls by tool and path only
 * ```ts
 * import { stagnationHook } from "jsr:@looplet/looplet/hooks";
 * const hook = stagnationHook({
 *   threshold: 4,
 *   ignoreTools: ["wait"],
 *   fingerprint: ({ call }) => `${call.name}:${String(call.args.path)}`,
 * });
 * ```
 */
export interface StagnationHookOptions {
  /** Identical calls in a row that count as stagnation (at least 2). @default 3 */
  readonly threshold?: number;
  /** The nudge injected. */
  readonly nudge?: string;
  /** Tools never counted (for example polling tools). @default [] */
  readonly ignoreTools?: readonly string[];
  /** What makes two calls "the same". @default tool name + arguments (key order ignored) + result */
  readonly fingerprint?: (ctx: ResultContext) => string;
}

/**
 * The default nudge text.
 *
 * @example Extend the default nudge
 * ```ts
 * import { STAGNATION_NUDGE, stagnationHook } from "jsr:@looplet/looplet/hooks";
 * const hook = stagnationHook({
 *   nudge: `${STAGNATION_NUDGE} If you are stuck, call done and say why.`,
 * });
 * ```
 */
export const STAGNATION_NUDGE =
  "[stagnation detected] You have repeated the same action without new progress. Try a different approach.";

/**
 * Notice when the model repeats the same call with the same result, and nudge
 * it (once per streak) to try something else.
 *
 * @param options Threshold, nudge text, ignored tools and fingerprint.
 * @returns The hook.
 * @throws {RangeError} When `threshold` is below 2.
 * @example
 * ```ts
 * import { stagnationHook } from "jsr:@looplet/looplet/hooks";
 * const hook = stagnationHook({ threshold: 3, ignoreTools: ["wait"] });
 * ```
 */
export function stagnationHook(options: StagnationHookOptions = {}): Hook {
  const {
    threshold = 3,
    nudge = STAGNATION_NUDGE,
    ignoreTools = [],
    fingerprint = defaultFingerprint,
  } = options;
  if (!Number.isInteger(threshold) || threshold < 2) {
    throw new RangeError(
      `Cannot make stagnation hook: 'threshold' must be an integer of at least 2, got ${threshold}`,
    );
  }
  const ignored = new Set(ignoreTools);
  let last: string | undefined;
  let streak = 0;
  return {
    name: "stagnation",
    onLoopStart() {
      last = undefined;
      streak = 0;
    },
    postDispatch(ctx) {
      if (ignored.has(ctx.call.name)) return;
      const key = fingerprint(ctx);
      if (key === last) streak++;
      else {
        last = key;
        streak = 1;
      }
      if (streak < threshold) return;
      last = undefined;
      streak = 0;
      return { inject: nudge };
    },
  };
}

/** JSON with every object's keys in sorted order (copying only objects whose keys are not). */
function stable(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? "null";
}

function sortKeys(_key: string, item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const keys = Object.keys(item);
  let previous = "";
  for (const key of keys) {
    if (previous > key) {
      const record = item as Record<string, unknown>;
      return Object.fromEntries(keys.sort().map((key) => [key, record[key]]));
    }
    previous = key;
  }
  return item;
}

function defaultFingerprint({ call, result }: ResultContext): string {
  return `${call.name}\u0000${stable(call.args)}\u0000${stable(result.error ?? result.data)}`;
}
