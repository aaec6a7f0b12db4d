import type { Hook } from "../loop/types.ts";
import { toJsonValue } from "../internal/json_value.ts";

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
      if (result.data === undefined || result.data === null) return undefined;
      // The one JSON-safe walker: it returns unchanged parts as they are, so `===` says "nothing to redact".
      const data = toJsonValue(result.data, redact);
      return data === result.data ? undefined : { result: data };
    },
  };
}
