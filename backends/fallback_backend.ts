import type { Backend, GenerateOptions, ModelRequest, ModelTurn } from "../loop/types.ts";
import { isRetryable } from "../loop/retry_policy.ts";

/**
 * Options of `fallbackBackend`.
 *
 * @example Log each fallback
 * ```ts ignore
 * import { fallbackBackend } from "jsr:@looplet/looplet/backends";
 * const llm = fallbackBackend([primary, spare], {
 *   name: "claude-then-gpt",
 *   onFallback: ({ from, to }) => console.warn(`${from} failed; trying ${to}`),
 * });
 * ```
 */
export interface FallbackBackendOptions {
  /** Name in messages and traces. @default "fallback(<names>)" */
  readonly name?: string;
  /** Whether an error moves on to the next backend. @default isRetryable (retryable errors only) */
  readonly shouldFallback?: (error: unknown) => boolean;
  /** Called when a backend fails and the next one is tried. @default undefined */
  readonly onFallback?: (info: { from: string; to: string; error: unknown }) => void;
}

/**
 * A backend that tries each backend in order and moves to the next one when a
 * call fails with a retryable error (rate limit, overload, network, timeout).
 * Non-retryable errors (a bad request, a bad key) and cancellation are thrown
 * at once. When every backend fails, the last error is thrown, so the loop's
 * own retries still apply to it.
 *
 * Deltas already streamed by a backend that then failed are not taken back.
 *
 * @param backends Two or more backends, preferred first.
 * @param options Name, the fallback rule and a notification callback.
 * @returns The fallback backend.
 * @throws {TypeError} When fewer than one backend is given or they disagree on `nativeTools`.
 * @example Fall back to a second provider
 * ```ts
 * import { BackendError, ScriptedBackend } from "jsr:@looplet/looplet";
 * import { fallbackBackend } from "jsr:@looplet/looplet/backends";
 * const busy = new ScriptedBackend([new BackendError("overloaded", { status: 529, retryable: true })]);
 * const spare = new ScriptedBackend(["hello"]);
 * const llm = fallbackBackend([busy, spare]);
 * const turn = await llm.generate({ messages: [], systemPrompt: "", tools: [] });
 * // turn.text === "hello"
 * ```
 */
export function fallbackBackend(
  backends: readonly Backend[],
  options: FallbackBackendOptions = {},
): Backend {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new TypeError("Cannot create fallback: pass a non-empty array of backends");
  }
  backends.forEach((backend, index) => {
    if (typeof backend?.generate !== "function" || typeof backend.capabilities !== "object") {
      throw new TypeError(`Cannot create fallback: backends[${index}] is not a Backend`);
    }
    if (backend.capabilities.nativeTools !== backends[0].capabilities.nativeTools) {
      throw new TypeError(
        `Cannot create fallback: backend "${backend.name}" has nativeTools ` +
          `${backend.capabilities.nativeTools} but "${backends[0].name}" has ` +
          `${backends[0].capabilities.nativeTools}; the loop needs one tool protocol`,
      );
    }
  });
  const { shouldFallback = isRetryable, onFallback } = options;
  const windows = backends.map((b) => b.capabilities.contextWindow).filter((w) =>
    w !== undefined
  ) as number[];
  const list = [...backends];
  return {
    name: options.name ?? `fallback(${list.map((b) => b.name).join(",")})`,
    capabilities: Object.freeze({
      nativeTools: list[0].capabilities.nativeTools,
      streaming: list.every((b) => b.capabilities.streaming === true),
      ...(windows.length > 0 ? { contextWindow: Math.min(...windows) } : {}),
    }),
    async generate(request: ModelRequest, generateOptions?: GenerateOptions): Promise<ModelTurn> {
      let lastError: unknown;
      for (let i = 0; i < list.length; i++) {
        try {
          return await list[i].generate(request, generateOptions);
        } catch (error) {
          lastError = error;
          if (generateOptions?.signal?.aborted) throw error;
          if (i === list.length - 1 || !shouldFallback(error)) throw error;
          onFallback?.({ from: list[i].name, to: list[i + 1].name, error });
        }
      }
      throw lastError;
    },
  };
}
