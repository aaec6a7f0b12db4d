import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  decodeStep,
  encodeCheckpoint,
  encodeStep,
} from "../loop/checkpoint_codec.ts";
import { CheckpointError } from "../loop/checkpoint_error.ts";
import type { LoopState, StepRecord } from "../loop/types.ts";

/** Options of `FileCheckpointStore`. */
export interface FileCheckpointStoreOptions {
  /** Snapshots to keep; older ones are deleted after each save. At least 2, so a corrupt newest one has a fallback. @default 3 */
  readonly keep?: number;
  /** Applied to every string of content before anything is written. @default identity */
  readonly redact?: (text: string) => string;
  /** Receives each warning (for example a corrupt file skipped); they are also kept in `warnings`. */
  readonly onWarning?: (message: string) => void;
  /** `fsync` each snapshot before it replaces the previous one (survives power loss, not only crashes). @default false */
  readonly durable?: boolean;
}

/** Options of `FileCheckpointStore.latest`. */
export interface LatestCheckpointOptions {
  /** The task of the run about to resume; a checkpoint of another task is refused. */
  readonly task?: string | Record<string, unknown>;
}

const SNAPSHOT = /^checkpoint-(\d{8})\.json$/;
const JOURNAL = "steps.jsonl";

/**
 * Checkpoints of one run in a directory: a snapshot per save
 * (`checkpoint-00000042.json`, the state without its steps, written to a
 * temporary file and renamed into place) and an append-only step journal
 * (`steps.jsonl`, one step per line). Saving costs the same at step 10 and
 * step 10,000. `latest()` skips corrupt or truncated snapshots with a
 * warning naming the file and falls back to the previous one.
 *
 * @example Save after every step, resume after a crash
 * ```ts ignore
 * const store = new FileCheckpointStore(".looplet/run-1");
 * const resume = await store.latest({ task });
 * const run = composableLoop({ llm, tools, task, resume, hooks: [checkpointHook(store)] });
 * ```
 */
export class FileCheckpointStore {
  /** The directory. */
  readonly directory: string;
  /** Warnings so far (corrupt files skipped, journals repaired). */
  readonly warnings: string[] = [];
  readonly #keep: number;
  readonly #redact?: (text: string) => string;
  readonly #onWarning?: (message: string) => void;
  readonly #durable: boolean;
  #seq: number | undefined;
  #journaled = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * Make a store over `directory` (created on the first save).
   *
   * @param directory Where the checkpoints go; one directory per run.
   * @param options Retention, redaction, warnings and durability.
   * @throws {TypeError} When `directory` is empty.
   * @throws {RangeError} When `keep` is below 2.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    const { keep = 3, redact, onWarning, durable = false } = options;
    if (typeof directory !== "string" || directory === "") {
      throw new TypeError("Cannot make checkpoint store: 'directory' must be a non-empty path");
    }
    if (!Number.isInteger(keep) || keep < 2) {
      throw new RangeError(
        `Cannot make checkpoint store: 'keep' must be an integer of at least 2, got ${keep}`,
      );
    }
    if (redact !== undefined && typeof redact !== "function") {
      throw new TypeError("Cannot make checkpoint store: 'redact' must be a (text) => string");
    }
    this.directory = directory;
    this.#keep = keep;
    this.#redact = redact;
    this.#onWarning = onWarning;
    this.#durable = durable;
  }

  /**
   * Save the state: append new steps to the journal, then write a snapshot
   * atomically. Saves are serialised.
   *
   * @param state The run state.
   * @returns The snapshot file written.
   * @throws {CheckpointError} When the directory holds checkpoints of another task.
   */
  save(state: LoopState): Promise<string> {
    const next = this.#queue.then(() => this.#save(state));
    this.#queue = next.catch(() => {});
    return next;
  }

  #save(state: LoopState): string {
    if (this.#seq === undefined) this.#open(state);
    const journal = join(this.directory, JOURNAL);
    if (state.steps.length > this.#journaled) {
      let lines = "";
      for (let index = this.#journaled; index < state.steps.length; index++) {
        lines += JSON.stringify(encodeStep(state.steps[index], { redact: this.#redact })) + "\n";
      }
      Deno.writeTextFileSync(journal, lines, { append: true, create: true });
      this.#journaled = state.steps.length;
    }
    const seq = ++this.#seq!;
    const file = join(this.directory, snapshotName(seq));
    const temp = `${file}.tmp`;
    const text = JSON.stringify(
      encodeCheckpoint(state, { redact: this.#redact, omitSteps: true }),
    );
    if (this.#durable) {
      using handle = Deno.openSync(temp, { write: true, create: true, truncate: true });
      handle.writeSync(new TextEncoder().encode(text));
      handle.syncSync();
    } else {
      Deno.writeTextFileSync(temp, text);
    }
    Deno.renameSync(temp, file);
    const old = seq - this.#keep;
    if (old > 0) {
      try {
        Deno.removeSync(join(this.directory, snapshotName(old)));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return file;
  }

  /** First save of this store: check the task, number after what is there, repair the journal. */
  #open(state: LoopState): void {
    Deno.mkdirSync(this.directory, { recursive: true });
    const taskKey = this.#key(state.task);
    const snapshots = this.#snapshots();
    let last: { file: string; task: unknown; steps: number } | undefined;
    for (const { file } of snapshots) {
      try {
        const doc = JSON.parse(Deno.readTextFileSync(file));
        if (doc?.format === CHECKPOINT_FORMAT) {
          last = { file, task: doc.task, steps: doc.step_count };
          break;
        }
      } catch { /* corrupt: latest() reports it */ }
    }
    if (last !== undefined && JSON.stringify(last.task) !== taskKey) {
      throw new CheckpointError(
        `Cannot save checkpoint in "${this.directory}": "${last.file}" is a checkpoint of ` +
          `another task (${JSON.stringify(last.task).slice(0, 80)}); use a new directory per run ` +
          "or call clear() first",
        last.file,
      );
    }
    this.#seq = snapshots.length > 0 ? snapshots[0].seq : 0;
    const { records, bytes, size } = this.#readJournal();
    let keep = 0;
    while (
      keep < records.length && keep < state.steps.length &&
      records[keep].call.id === state.steps[keep].call.id &&
      records[keep].number === state.steps[keep].number
    ) keep++;
    const path = join(this.directory, JOURNAL);
    if (size > bytes[keep]) {
      if (keep < records.length) {
        this.#warn(
          `Dropped ${
            records.length - keep
          } step(s) from "${path}" that the resumed state does not have`,
        );
      }
      Deno.truncateSync(path, bytes[keep]);
    }
    this.#journaled = keep;
  }

  /**
   * The newest readable checkpoint, or `undefined` when there is none. Corrupt
   * or truncated snapshots are skipped with a warning naming the file.
   *
   * @param options The task of the run about to resume, to refuse another task's checkpoint.
   * @returns The state to pass as `resume`.
   * @throws {CheckpointError} When the newest readable checkpoint belongs to another task.
   */
  async latest(options: LatestCheckpointOptions = {}): Promise<LoopState | undefined> {
    await this.#queue;
    let snapshots: { file: string; seq: number }[];
    try {
      snapshots = this.#snapshots();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    if (snapshots.length === 0) return undefined;
    const { records } = this.#readJournal();
    for (const { file } of snapshots) {
      let state: LoopState;
      try {
        const text = Deno.readTextFileSync(file);
        state = decodeCheckpoint(JSON.parse(text), file, records);
      } catch (error) {
        const reason = error instanceof CheckpointError
          ? error.message
          : `${error instanceof Error ? error.message : String(error)}`;
        this.#warn(
          `Skipped checkpoint "${file}": ${reason}; falling back to the previous checkpoint`,
        );
        continue;
      }
      if (options.task !== undefined && this.#key(options.task) !== JSON.stringify(state.task)) {
        throw new CheckpointError(
          `Cannot resume from "${file}": it is a checkpoint of another task ` +
            `(${JSON.stringify(state.task).slice(0, 80)}), not ${
              JSON.stringify(options.task).slice(0, 80)
            }; use the directory of that run, or a new one`,
          file,
        );
      }
      return state;
    }
    this.#warn(`No readable checkpoint in "${this.directory}"; starting from the beginning`);
    return undefined;
  }

  /**
   * Delete every checkpoint in the directory (the directory stays).
   *
   * @returns Nothing.
   */
  async clear(): Promise<void> {
    await this.#queue;
    try {
      for (const entry of Deno.readDirSync(this.directory)) {
        if (SNAPSHOT.test(entry.name) || entry.name === JOURNAL || entry.name.endsWith(".tmp")) {
          Deno.removeSync(join(this.directory, entry.name));
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.#seq = undefined;
    this.#journaled = 0;
  }

  /** Snapshots, newest first. */
  #snapshots(): { file: string; seq: number }[] {
    const found: { file: string; seq: number }[] = [];
    for (const entry of Deno.readDirSync(this.directory)) {
      const match = SNAPSHOT.exec(entry.name);
      if (match && entry.isFile) {
        found.push({ file: join(this.directory, entry.name), seq: Number(match[1]) });
      }
    }
    return found.sort((a, b) => b.seq - a.seq);
  }

  /** The journal's readable steps, and the byte offset after each (bytes[i] = end of i steps). */
  #readJournal(): { records: StepRecord[]; bytes: number[]; size: number } {
    const path = join(this.directory, JOURNAL);
    let raw: Uint8Array;
    try {
      raw = Deno.readFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { records: [], bytes: [0], size: 0 };
      throw error;
    }
    const records: StepRecord[] = [];
    const bytes = [0];
    let start = 0;
    const decoder = new TextDecoder();
    while (start < raw.length) {
      const end = raw.indexOf(10, start);
      if (end < 0) {
        this.#warn(`Ignored a truncated last line in "${path}" (a crash during a write)`);
        break;
      }
      try {
        records.push(
          decodeStep(
            JSON.parse(decoder.decode(raw.subarray(start, end))),
            path,
            `line ${records.length + 1}`,
          ),
        );
      } catch (error) {
        this.#warn(
          `Stopped reading "${path}" at line ${records.length + 1}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        break;
      }
      start = end + 1;
      bytes.push(start);
    }
    return { records, bytes, size: raw.length };
  }

  /** The task as it is written (redacted), for comparing runs. */
  #key(task: unknown): string {
    const redact = this.#redact;
    return JSON.stringify(
      task,
      (_key, value) => typeof value === "string" && redact !== undefined ? redact(value) : value,
    );
  }

  #warn(message: string): void {
    this.warnings.push(message);
    this.#onWarning?.(message);
  }
}

function snapshotName(seq: number): string {
  return `checkpoint-${String(seq).padStart(8, "0")}.json`;
}

/** Join a directory and a file name (no `node:path`: it would slow down importing mod.ts). */
function join(directory: string, name: string): string {
  return directory.endsWith("/") || directory.endsWith("\\")
    ? directory + name
    : `${directory}/${name}`;
}
