import type { Hook } from "../loop/types.ts";

/** `value` with every string redacted; the same object when nothing changed. */
function redactDeep(
  value: unknown,
  redact: (text: string) => string,
  seen: WeakSet<object>,
): unknown {
  if (typeof value === "string") return redact(value);
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  let changed = false;
  const walk = (item: unknown) => {
    const next = redactDeep(item, redact, seen);
    if (next !== item) changed = true;
    return next;
  };
  const copy = Array.isArray(value)
    ? value.map(walk)
    : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
  return changed ? copy : value;
}

/**
 * A hook that redacts every string in each successful tool result before the
 * model, the step, checkpoints or the trace see it, for example the values
 * of the caller's own keys (`knownSecretValues`) that a tool printed.
 * Failed results keep their error text: pass the same `redact` to
 * `redactingBackend` and the trace sink for those.
 *
 * @param redact The redaction function, for example `redactSecrets()`.
 * @returns The hook (name `redact-results`).
 * @throws {TypeError} When `redact` is not a function.
 * @example Keep the caller's secrets out of tool results
 * ```ts ignore
 * import process from "node:process";
 * import { knownSecretValues, redactResultsHook, redactSecrets } from "jsr:@looplet/looplet/hooks";
 * const hooks = [redactResultsHook(redactSecrets({ values: knownSecretValues(process.env) }))];
 * ```
 */
export function redactResultsHook(redact: (text: string) => string): Hook {
  if (typeof redact !== "function") {
    throw new TypeError("Cannot make redact-results hook: 'redact' must be a (text) => string");
  }
  return {
    name: "redact-results",
    postDispatch({ result }) {
      if (result.error !== undefined || result.awaitingApproval !== undefined) return undefined;
      const data = redactDeep(result.data, redact, new WeakSet());
      return data === result.data ? undefined : { result: data };
    },
  };
}
