import type { EffectStart, Hook, LoopState } from "../../loop/types.ts";

/**
 * Where checkpoints go: `FileCheckpointStore` or anything with the same `save`.
 *
 * @example Keep checkpoints in memory
 * ```ts
 * import type { CheckpointSink } from "jsr:@looplet/looplet/hooks";
 * const saved: unknown[] = [];
 * const sink: CheckpointSink = {
 *   save: async (state) => {
 *     saved.push(JSON.parse(JSON.stringify(state)));
 *   },
 * };
 * ```
 */
export interface CheckpointSink {
  /**
   * Save the state; resolves once it is safely written. `reply` is true for
   * the state right after a model reply (a store may record it more cheaply).
   */
  save(state: LoopState, options?: { readonly reply?: boolean }): Promise<unknown>;
  /**
   * Record that a call of a tool that is not read-only is about to run;
   * resolves once it is safely written. Without it, `checkpointHook` saves
   * the whole state (whose `inFlight` holds the call) instead.
   */
  recordEffect?(effect: EffectStart, state: LoopState): Promise<unknown>;
  /** Release open files; called when the run ends. */
  close?(): Promise<void> | void;
}

/**
 * Options of `checkpointHook`.
 *
 * @example Save every fifth step
 * ```ts ignore
 * const hook = checkpointHook(new FileCheckpointStore(".looplet/run-1"), { every: 5 });
 * ```
 */
export interface CheckpointHookOptions {
  /** Save after every N-th step. A pause and the end are always saved. @default 1 */
  readonly every?: number;
  /**
   * Also save right after each model reply, before its calls run, so that a
   * run resumed after a crash during those calls does not ask the model
   * again (and pay for it twice). @default true when `every` is 1
   */
  readonly replies?: boolean;
}

/**
 * Save the run's state to a store at every consistent point: after the
 * model's reply is recorded (so a resumed run does not ask the model again
 * for that turn), before each call of a tool that is not read-only runs
 * (so a resumed run knows the call may have taken effect: see
 * `Tool.onInterrupted`; a whole save when the turn's reply was not saved), after each step is recorded (so no recorded call
 * runs twice), and when the run ends (including a pause for approval). A failed
 * save fails the run: no progress is silently unsaved.
 *
 * @param store Where to save, usually a `FileCheckpointStore`.
 * @param options How often to save.
 * @returns The hook.
 * @throws {RangeError} When `every` is not a positive integer.
 * @example Checkpoint every step
 * ```ts ignore
 * const store = new FileCheckpointStore(".looplet/run-1");
 * const run = composableLoop({ llm, tools, task, hooks: [checkpointHook(store)] });
 * ```
 */
export function checkpointHook(store: CheckpointSink, options: CheckpointHookOptions = {}): Hook {
  const { every = 1, replies = every === 1 } = options;
  if (typeof store?.save !== "function") {
    throw new TypeError("Cannot make checkpoint hook: 'store' must have a save(state) method");
  }
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(
      `Cannot make checkpoint hook: 'every' must be a positive integer, got ${every}`,
    );
  }
  if (typeof replies !== "boolean") {
    throw new TypeError(
      `Cannot make checkpoint hook: 'replies' must be true or false, got ${
        JSON.stringify(replies)
      }`,
    );
  }
  let state: LoopState | undefined;
  let failed = false;
  // Whether a save holds the current turn's queue: a journaled start refers to a queued call.
  let queueSaved = false;
  const failing = (error: unknown): never => {
    failed = true; // the run ends with this error; the end does not try (and fail) again
    throw error;
  };
  const save = (state: LoopState, options?: { readonly reply?: boolean }) =>
    store.save(state, options).then(ignore, failing);
  return {
    name: "checkpoint",
    onLoopStart(ctx) {
      state = ctx.state;
    },
    onModelReply(ctx) {
      queueSaved = replies;
      if (replies) return save(ctx.state, REPLY);
    },
    events: ["tool_start", "step", "loop_end"],
    // Not async: events this hook ignores cost the loop no promise.
    onEvent(event) {
      if (state === undefined) return;
      if (event.type === "tool_start") {
        if (event.effect === undefined) return;
        if (!queueSaved || store.recordEffect === undefined) {
          queueSaved = true; // this save holds the queue and the call in `inFlight`
          return save(state, REPLY);
        }
        return store.recordEffect(event.effect, state).then(ignore, failing);
      } else if (event.type === "step") {
        if (event.step.result.awaitingApproval !== undefined) return; // saved at loop_end
        if (event.step.number % every === 0) return save(state);
      } else if (event.type === "loop_end") {
        state = undefined;
        return failed ? store.close?.() : saveAndClose(store, event.outcome.state);
      }
    },
  };
}

const REPLY = { reply: true } as const;

function ignore(): void {}

async function saveAndClose(store: CheckpointSink, state: LoopState): Promise<void> {
  try {
    await store.save(state);
  } finally {
    await store.close?.();
  }
}
