import type { Hook, LoopState } from "../loop/types.ts";

/**
 * A memory source: fixed text, or a function of the state (sync or async) that may return nothing.
 *
 * @example Fixed and computed memory
 * ```ts
 * import type { MemorySource } from "jsr:@looplet/looplet/hooks";
 * const sources: MemorySource[] = [
 *   "The user prefers metric units.",
 *   (state) => `Steps so far: ${state.steps.length}`,
 * ];
 * ```
 */
export type MemorySource =
  | string
  | ((state: LoopState) => string | undefined | null | Promise<string | undefined | null>);

/**
 * Options of `memoryHook`.
 *
 * @example A custom heading
 * ```ts
 * import { memoryHook } from "jsr:@looplet/looplet/hooks";
 * const hook = memoryHook(["Reply in French."], { heading: "Remember:" });
 * ```
 */
export interface MemoryHookOptions {
  /** Heading put before the memory. @default "Memory:" */
  readonly heading?: string;
}

/**
 * Inject memory into every prompt: static text and callables evaluated each
 * turn (so memory survives compaction: it is re-rendered, never stored in
 * the transcript). Empty outputs are left out; sources are joined by a blank line.
 *
 * @param sources Texts or functions of the state.
 * @param options Heading.
 * @returns The hook.
 * @throws {TypeError} When a source is neither a string nor a function.
 * @example
 * ```ts
 * import { memoryHook } from "jsr:@looplet/looplet/hooks";
 * const hook = memoryHook(["The user prefers metric units.", (state) => `Turn ${state.turn}`]);
 * ```
 */
export function memoryHook(
  sources: readonly MemorySource[],
  options: MemoryHookOptions = {},
): Hook {
  const { heading = "Memory:" } = options;
  if (!Array.isArray(sources)) {
    throw new TypeError("Cannot make memory hook: 'sources' must be an array");
  }
  sources.forEach((source, index) => {
    if (typeof source !== "string" && typeof source !== "function") {
      throw new TypeError(
        `Cannot make memory hook: sources[${index}] must be a string or a (state) => string`,
      );
    }
  });
  return {
    name: "memory",
    async prePrompt({ state }) {
      const parts: string[] = [];
      for (const source of sources) {
        const text = typeof source === "string" ? source : await source(state);
        if (typeof text === "string" && text.trim() !== "") parts.push(text.trim());
      }
      if (parts.length === 0) return;
      return { inject: `${heading}\n${parts.join("\n\n")}` };
    },
  };
}
