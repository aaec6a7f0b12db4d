import type { Hook, HookDecision } from "../loop/types.ts";
import { checkSteps } from "./durable_backend.ts";
import type { DurableSteps } from "./durable_steps.ts";
import { hookStepName } from "./step_names.ts";
import { capture, type Journaled, release } from "./_journal.ts";
import { assertJson } from "../internal/assert_json.ts";

const DECIDING = [
  "prePrompt",
  "preDispatch",
  "postDispatch",
  "checkDone",
  "shouldStop",
  "onPromptTooLong",
] as const;

/**
 * Journal the decisions of a hook that does I/O or reads the clock to decide
 * (a quota service, a time budget, a remote policy): each call of a deciding
 * slot (`prePrompt`, `preDispatch`, `postDispatch`, `checkDone`,
 * `shouldStop`, `onPromptTooLong`) runs as the step
 * `hook#<name>:<slot>#<n>`, so a replayed run gets the same decision.
 *
 * The rules for hooks in a durable run: a hook whose decision depends only
 * on its context (the state, the call, the result) needs nothing; a hook
 * that decides from anything else must be wrapped, and must act only through
 * its decision (a change it makes to `state.metadata` or to its own
 * variables is not journaled). Observer slots (`onEvent`, `onLoopStart`,
 * `onModelReply`, `onLoopEnd`) are not journaled: on replay they run again,
 * so what they write outside the process may be written twice.
 *
 * @param hook The hook to journal (it must have a `name`).
 * @param steps The engine's steps for this run.
 * @returns A hook with the same name and slots.
 * @throws {TypeError} When the hook has no name or `steps` has the wrong shape.
 * @example Journal a time budget
 * ```ts ignore
 * const deadline = Date.parse("2026-12-31T00:00:00Z");
 * const hooks = [durableHook({
 *   name: "deadline",
 *   shouldStop: () => Date.now() > deadline ? { stop: "deadline" } : undefined,
 * }, steps)];
 * ```
 */
export function durableHook(hook: Hook, steps: DurableSteps): Hook {
  if (typeof hook !== "object" || hook === null || typeof hook.name !== "string" || !hook.name) {
    throw new TypeError(
      "Cannot make durable hook: the hook needs a 'name' (it is part of each step's name)",
    );
  }
  checkSteps(steps, `durable hook "${hook.name}"`);
  const hookName = hook.name;
  const durable: Record<string, unknown> = { ...hook };
  for (const slot of DECIDING) {
    const method = hook[slot] as ((ctx: unknown) => unknown) | undefined;
    if (method === undefined) continue;
    let calls = 0;
    durable[slot] = async (ctx: unknown) => {
      const name = hookStepName(hookName, slot, ++calls);
      const journaled = await steps.run<Journaled<HookDecision | null>>(
        name,
        () =>
          capture(async () => {
            const decision = (await method.call(hook, ctx)) as HookDecision | undefined;
            assertJson(decision ?? null, `Hook "${hookName}" (${slot})`, "decision");
            return decision ?? null;
          }),
      );
      return release(journaled) ?? undefined;
    };
  }
  return durable as Hook;
}
