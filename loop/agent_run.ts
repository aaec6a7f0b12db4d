import type { Step } from "./step.ts";
import type { LoopState, Outcome } from "./types.ts";

/**
 * A running agent: iterate it with `for await` to get each `Step`, then read
 * `outcome`. A run can be iterated once; `complete()` drains what is left.
 *
 * @example
 * ```ts ignore
 * const run = composableLoop({ llm, tools, task: "Greet Alice" });
 * for await (const step of run) console.log(step.pretty());
 * const { stopReason, finalAnswer, usage } = await run.outcome;
 * ```
 */
export class AgentRun implements AsyncIterable<Step> {
  /** Resolves when the run ends (also after `break`); rejects if a hook threw. */
  readonly outcome: Promise<Outcome>;
  readonly #steps: AsyncGenerator<Step, void, undefined>;
  readonly #state: LoopState;
  #iterated = false;

  /**
   * Wrap the loop's generator; made by `composableLoop`, not by hand.
   *
   * @param steps The loop's generator.
   * @param outcome The outcome promise the generator settles.
   * @param state The live state.
   */
  constructor(
    steps: AsyncGenerator<Step, void, undefined>,
    outcome: Promise<Outcome>,
    state: LoopState,
  ) {
    this.#steps = steps;
    this.outcome = outcome;
    this.#state = state;
    outcome.catch(() => {}); // errors also surface through iteration; never unhandled
  }

  /** The live state (plain JSON). Read it; do not change it. */
  get state(): LoopState {
    return this.#state;
  }

  /**
   * Iterate the steps.
   *
   * @throws {TypeError} When the run is iterated a second time.
   */
  [Symbol.asyncIterator](): AsyncIterator<Step> {
    if (this.#iterated) {
      throw new TypeError(
        "Cannot iterate this run twice: it already ran; read 'run.outcome', or start a new run",
      );
    }
    this.#iterated = true;
    return this.#steps;
  }

  /**
   * Run to the end (or drain what is left) and return the outcome.
   *
   * @returns The outcome.
   */
  async complete(): Promise<Outcome> {
    this.#iterated = true;
    while (!(await this.#steps.next()).done) { /* drain */ }
    return this.outcome;
  }
}
