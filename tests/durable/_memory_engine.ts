// An in-memory durable engine for the hermetic durable/ tests: a journal of
// step results, and a crash injected at a chosen step (after the step's
// function ran, before its result is journaled, as a SIGKILL would land).
// After the crash the engine is dead: no step runs or is journaled until
// `restart()`, as if the process were gone.
import type { DurableSteps } from "../../durable/mod.ts";

export class Crash extends Error {
  constructor(step: string) {
    super(`crashed in ${step}`);
    this.name = "Crash";
  }
}

export class MemoryEngine {
  readonly journal: Map<string, unknown> = new Map();
  /** Step names in the order they were first run. */
  readonly ran: string[] = [];
  crashAt: string | undefined;
  #dead = false;

  /** A new process: steps run again (replaying the journal). */
  restart(): void {
    this.#dead = false;
  }

  steps(runId = "run-1"): DurableSteps {
    return {
      runId,
      run: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        if (this.#dead) throw new Crash(name);
        if (this.journal.has(name)) return structuredClone(this.journal.get(name)) as T;
        this.ran.push(name);
        const value = await fn();
        if (this.crashAt === name) {
          this.crashAt = undefined;
          this.#dead = true;
          throw new Crash(name);
        }
        this.journal.set(name, JSON.parse(JSON.stringify(value)));
        return structuredClone(value);
      },
    };
  }
}
