/**
 * A hook threw. The run ends and this error reaches the caller, naming the
 * hook and the slot; the original error is the `cause`.
 *
 * @example
 * ```ts ignore
 * try {
 *   await composableLoop({ llm, tools, task, hooks: [buggyHook] }).complete();
 * } catch (error) {
 *   if (error instanceof HookError) console.error(error.hook, error.slot, error.cause);
 * }
 * ```
 */
export class HookError extends Error {
  /** Name of the hook (its `name`, or `hooks[i]`). */
  readonly hook: string;
  /** The slot that threw, for example `preDispatch`. */
  readonly slot: string;

  /**
   * Wrap what a hook threw.
   *
   * @param hook Hook name.
   * @param slot Slot name.
   * @param cause What the hook threw.
   */
  constructor(hook: string, slot: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`Hook "${hook}" failed in ${slot}: ${detail}`, { cause });
    this.name = "HookError";
    this.hook = hook;
    this.slot = slot;
  }
}
