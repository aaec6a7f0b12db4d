/** Which turn, step and scope each model call belongs to (private to provenance/). */
import type { LoopEvent, LoopState } from "../loop/types.ts";

/** Where a model call was made from. */
export interface CallOrigin {
  /** `null` for the loop's own calls, `"tool:<name>"` or `"hook"` otherwise. */
  readonly scope: string | null;
  readonly stepNum: number | null;
  readonly turn: number | null;
}

/**
 * Follows the loop's events to tell who makes each model call, and keeps the
 * call indices of the current turn and of running steps until their step is
 * recorded (then forgets them).
 */
export class CallAttribution {
  readonly #turnCalls = new Map<number, number[]>();
  readonly #stepCalls = new Map<number, number[]>();
  readonly #running = new Map<number, string>();
  #turn = 0;
  #loopCallOpen = false;

  /** Note a loop event: a new turn, a model call opening or closing, a tool starting, a step. */
  observe(event: LoopEvent): void {
    switch (event.type) {
      case "turn_start":
        this.#turn = event.turn;
        for (const turn of this.#turnCalls.keys()) {
          if (turn < event.turn) this.#turnCalls.delete(turn);
        }
        break;
      case "model_call_start":
        this.#loopCallOpen = true;
        break;
      case "model_call_end":
        this.#loopCallOpen = false;
        break;
      case "tool_start":
        this.#running.set(event.step, event.call.name);
        break;
      case "step":
        this.#running.delete(event.step.number);
        break;
    }
  }

  /** Who is calling now: the loop (a model call is open), a running tool, or a hook. */
  origin(state: LoopState | undefined): CallOrigin {
    const turn = this.#turn > 0 ? this.#turn : null;
    if (this.#loopCallOpen) return { scope: null, stepNum: (state?.steps.length ?? 0) + 1, turn };
    const [first] = this.#running;
    if (first !== undefined) {
      const [step, name] = first;
      const names = [...new Set(this.#running.values())];
      return {
        scope: names.length === 1 ? `tool:${name}` : `tool:${names.join("|")}`,
        stepNum: step,
        turn,
      };
    }
    if (state === undefined) return { scope: null, stepNum: null, turn };
    return { scope: "hook", stepNum: state.steps.length + 1, turn };
  }

  /** Count call `index` to its turn (a loop call) or its step (a tool's or a hook's). */
  add(index: number, origin: CallOrigin): void {
    const calls = origin.scope === null ? this.#turnCalls : this.#stepCalls;
    const key = origin.scope === null ? origin.turn : origin.stepNum;
    if (key !== null) calls.set(key, [...(calls.get(key) ?? []), index]);
  }

  /** The calls of a step being recorded: its turn's loop calls, then its own. */
  take(step: { readonly number: number; readonly turn: number }): number[] {
    const calls = [
      ...(this.#turnCalls.get(step.turn) ?? []),
      ...(this.#stepCalls.get(step.number) ?? []),
    ];
    this.#stepCalls.delete(step.number);
    return calls;
  }
}
