import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  decodeEffect,
  decodeMessage,
  decodeStep,
  encodeCheckpoint,
  encodeEffect,
  encodeMessage,
  encodeStep,
} from "./checkpoint_codec.ts";
import { CheckpointError } from "../../loop/checkpoint_error.ts";
import type { EffectStart, LoopState, Message, StepRecord } from "../../loop/types.ts";
import { toJsonValue } from "../../internal/json_value.ts";

/**
 * Options of `FileCheckpointStore`.
 *
 * @example Durable, redacted checkpoints with a snapshot file every 10 steps
 * ```ts ignore
 * const store = new FileCheckpointStore(".looplet/run-1", {
 *   durable: true,
 *   fileEvery: 10,
 *   redact: redactSecrets(),
 *   onWarning: console.warn,
 * });
 * ```
 */
export interface FileCheckpointStoreOptions {
  /** Snapshot files to keep; older ones are deleted after each is written. At least 2. @default 3 */
  readonly keep?: number;
  /** Applied to every string of content before anything is written. @default identity */
  readonly redact?: (text: string) => string;
  /** Receives each warning (for example a corrupt file skipped); they are also kept in `warnings`. */
  readonly onWarning?: (message: string) => void;
  /** `fsync` the journal after each append and each snapshot file before its rename: saves survive power loss, not only crashes. @default false */
  readonly durable?: boolean;
  /**
   * Also write every N-th step's snapshot as a self-contained file; the
   * snapshot at the end of a run (or a pause) always is one.
   * @default Infinity (only the end)
   */
  readonly fileEvery?: number;
}

/**
 * Options of `FileCheckpointStore.latest`.
 *
 * @example Resume only a run of the same task
 * ```ts ignore
 * const store = new FileCheckpointStore(".looplet/run-1");
 * const resume = await store.latest({ task: "Fix the failing test" });
 * ```
 */
export interface LatestCheckpointOptions {
  /** The task of the run about to resume; a checkpoint of another task is refused. */
  readonly task?: string | Record<string, unknown>;
}

const JOURNAL = "journal.jsonl";
const SNAPSHOT = /^checkpoint-(\d{8})\.json$/;
const KINDS = new Set(["step", "message", "effect_start", "snapshot"]);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One line of the journal. */
interface Entry {
  readonly kind: string;
  readonly value: Record<string, unknown>;
  /** Line number, from 1. */
  readonly line: number;
  /** Byte offset just after the line. */
  readonly end: number;
}

/** A snapshot to try: a journal line or a file. */
interface Candidate {
  readonly seq: number;
  readonly label: string;
  readonly file: string;
  readonly document?: Record<string, unknown>;
  /** For a journal line: its index in the entries. */
  readonly index?: number;
  readonly error?: string;
}

/**
 * Checkpoints of one run in a directory. `journal.jsonl` is append-only
 * JSON lines: each step and each transcript message once, the record of
 * each call of a tool that is not read-only before it runs
 * (`effect_start`), and a snapshot per save (counters, queue, metadata and
 * the transcript as journal message numbers), so a save costs what changed,
 * not the history. Each save is one append, done before it resolves; with
 * `durable: true` it is also fsynced. The snapshot at the end of a run (and
 * every `fileEvery`-th step's) is also written as a self-contained file
 * (`checkpoint-00000042.json`, temporary file then rename). `latest()`
 * resumes from the newest readable snapshot; a corrupt or truncated one is
 * skipped with a warning naming the file, and a call that started without a
 * recorded result comes back in `state.inFlight`.
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
  /** Warnings so far (corrupt files skipped, journal repaired). */
  readonly warnings: string[] = [];
  readonly #journalPath: string;
  readonly #keep: number;
  readonly #redact?: (text: string) => string;
  readonly #onWarning?: (message: string) => void;
  readonly #durable: boolean;
  readonly #fileEvery: number;
  /** The journal's file descriptor, open for appending. */
  #file: number | undefined;
  /** Set once the journal on disk has been read (the first save). */
  #opened = false;
  #seq = 0;
  #stepSaves = 0;
  #files: string[] = [];
  #steps = 0;
  #messages = 0;
  #numbers = new WeakMap<Message, number>();
  /** The transcript array last saved, how much of it, its last message, and its refs. */
  #tracked: readonly Message[] | undefined;
  #trackedLength = 0;
  #refs: [number, number][] = [];

  /**
   * Make a store over `directory` (created on the first save).
   *
   * @param directory Where the checkpoints go; one directory per run.
   * @param options Retention, redaction, warnings and durability.
   * @throws {TypeError} When `directory` is empty or `redact` is not a function.
   * @throws {RangeError} When `keep` is below 2 or `fileEvery` below 1.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    const { keep = 3, redact, onWarning, durable = false, fileEvery = Infinity } = options;
    if (typeof directory !== "string" || directory === "") {
      throw new TypeError("Cannot make checkpoint store: 'directory' must be a non-empty path");
    }
    if (!Number.isInteger(keep) || keep < 2) {
      throw new RangeError(
        `Cannot make checkpoint store: 'keep' must be an integer of at least 2, got ${keep}`,
      );
    }
    if (!(fileEvery === Infinity || (Number.isInteger(fileEvery) && fileEvery >= 1))) {
      throw new RangeError(
        `Cannot make checkpoint store: 'fileEvery' must be a positive integer, got ${fileEvery}`,
      );
    }
    if (redact !== undefined && typeof redact !== "function") {
      throw new TypeError("Cannot make checkpoint store: 'redact' must be a (text) => string");
    }
    this.directory = directory;
    this.#journalPath = join(directory, JOURNAL);
    this.#keep = keep;
    this.#redact = redact;
    this.#onWarning = onWarning;
    this.#durable = durable;
    this.#fileEvery = fileEvery;
  }

  /**
   * Save the state: append the new steps, the new messages and the snapshot
   * to the journal in one write; at the end of a run (and every
   * `fileEvery`-th step) also write the snapshot file.
   *
   * @param state The run state.
   * @param options `reply`: the state right after a model reply (never a file).
   * @returns The snapshot file, or the journal when the snapshot is only a line.
   * @throws {CheckpointError} When the directory holds checkpoints of another task, a step left memory unsaved, or a write failed.
   */
  // deno-lint-ignore require-await
  async save(state: LoopState, options: { readonly reply?: boolean } = {}): Promise<string> {
    return this.#write(state, () => this.#save(state, options.reply === true));
  }

  /**
   * Journal that a call of a tool that is not read-only is about to run
   * (`checkpointHook` calls it on `tool_start`).
   *
   * @param effect The call's record.
   * @param state The run state (read when this is the store's first write).
   * @returns Nothing, once the line is written.
   * @throws {CheckpointError} When the write failed.
   */
  // deno-lint-ignore require-await
  async recordEffect(effect: EffectStart, state: LoopState): Promise<void> {
    this.#write(state, () => {
      this.#append(`${JSON.stringify({ kind: "effect_start", ...encodeEffect(effect) })}\n`);
    });
  }

  /**
   * Close the journal's file handle (the next save opens it again).
   *
   * @returns Nothing.
   */
  close(): Promise<void> {
    if (this.#file !== undefined) closeSync(this.#file);
    this.#file = undefined;
    return Promise.resolve();
  }

  /** Every write: open on the first, and start over (re-read the disk) after a failure. */
  #write<T>(state: LoopState, write: () => T): T {
    try {
      if (!this.#opened) this.#open(state);
      return write();
    } catch (error) {
      this.#reset();
      throw error instanceof CheckpointError ? error : this.#error(describe(error), error);
    }
  }

  #save(state: LoopState, reply: boolean): string {
    const redact = this.#redact;
    let lines = "";
    const dropped = state.stepsDropped ?? 0;
    const count = dropped + state.steps.length;
    if (this.#steps < dropped) {
      throw this.#error(
        `step ${this.#steps + 1} left memory (keepSteps) before it was saved; ` +
          "save at least every keepSteps steps",
      );
    }
    for (const unsaved of state.steps.slice(this.#steps - dropped)) {
      lines += `${JSON.stringify({ kind: "step", ...encodeStep(unsaved, { redact }) })}\n`;
    }
    let messages = this.#messages;
    const refs = this.#transcriptRefs(state.transcript, (message) => {
      lines += `${JSON.stringify({ kind: "message", ...encodeMessage(message, { redact }) })}\n`;
      return messages++;
    });
    const seq = this.#seq + 1;
    const snapshot = encodeCheckpoint(state, { redact, transcriptRefs: refs });
    lines += `${JSON.stringify({ kind: "snapshot", seq, ...snapshot })}\n`;
    this.#append(lines);
    this.#steps = count;
    this.#messages = messages;
    this.#seq = seq;
    const final = state.stopReason !== undefined;
    if (reply || (!final && ++this.#stepSaves % this.#fileEvery !== 0)) return this.#journalPath;
    return this.#writeFile(seq, state);
  }

  /**
   * The transcript's message numbers, journaling new messages. The loop
   * only appends to the transcript or replaces it: the same array, grown,
   * with the same last message costs only what was appended.
   */
  #transcriptRefs(
    transcript: readonly Message[],
    journal: (m: Message) => number,
  ): [number, number][] {
    const last = transcript[this.#trackedLength - 1];
    const known = this.#tracked === transcript && transcript.length >= this.#trackedLength &&
      (this.#trackedLength === 0 || (last !== undefined && this.#numbers.has(last)));
    if (!known) {
      this.#refs = [];
      this.#trackedLength = 0;
      this.#tracked = transcript;
    }
    for (const message of transcript.slice(this.#trackedLength)) {
      let number = this.#numbers.get(message);
      if (number === undefined) this.#numbers.set(message, number = journal(message));
      const run = this.#refs.at(-1);
      if (run !== undefined && run[1] === number) run[1]++;
      else this.#refs.push([number, number + 1]);
    }
    this.#trackedLength = transcript.length;
    return this.#refs;
  }

  #append(text: string): void {
    const file = this.#file ??= openSync(this.#journalPath, "a");
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(file, bytes, written);
    if (this.#durable) fdatasyncSync(file);
  }

  #writeFile(seq: number, state: LoopState): string {
    const file = join(this.directory, `checkpoint-${String(seq).padStart(8, "0")}.json`);
    const document = encodeCheckpoint(state, { redact: this.#redact });
    const temp = `${file}.tmp`;
    const handle = openSync(temp, "w");
    try {
      writeFileSync(handle, JSON.stringify({ seq, ...document }));
      if (this.#durable) fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
    renameSync(temp, file);
    this.#files.push(file);
    for (const old of this.#files.splice(0, Math.max(0, this.#files.length - this.#keep))) {
      unlinkSync(old);
    }
    return file;
  }

  /** Start over on the next save: re-read what is on disk. */
  #reset(): void {
    this.#opened = false;
    if (this.#file !== undefined) closeSync(this.#file);
    this.#file = undefined;
  }

  /**
   * First save: refuse another task's directory, number after what is there,
   * and keep the journal only up to what `state` holds. A torn last line is
   * cut off; anything more is moved aside, never overwritten.
   */
  #open(state: LoopState): void {
    mkdirSync(this.directory, { recursive: true });
    const { entries, size } = this.#read(false);
    const candidates = this.#candidates(entries).filter((c) => c.error === undefined);
    const newest = candidates[0];
    if (newest !== undefined && JSON.stringify(newest.document!.task) !== this.#key(state.task)) {
      throw this.#error(
        `${newest.label} is a checkpoint of another task (${
          JSON.stringify(newest.document!.task).slice(0, 80)
        }); use a new directory per run or call clear() first`,
        undefined,
        newest.file,
      );
    }
    this.#seq = Math.max(0, ...candidates.map((c) => c.seq));
    this.#files = candidates.filter((c) => c.index === undefined).map((c) => c.file).reverse();
    const dropped = state.stepsDropped ?? 0;
    const count = dropped + state.steps.length;
    let keep = entries.length;
    let steps = 0;
    let messages = 0;
    for (const [index, entry] of entries.entries()) {
      if (entry.kind === "step") {
        const expected = state.steps[steps - dropped];
        const id = (entry.value.call as { id?: unknown } | undefined)?.id;
        if (steps >= count || (steps >= dropped && id !== expected?.call.id)) {
          keep = index;
          break;
        }
        steps++;
      } else if (entry.kind === "message") messages++;
    }
    const end = entries[keep - 1]?.end ?? 0;
    if (size > end) {
      const raw = readFileSync(this.#journalPath);
      if (raw.indexOf(10, end) < 0) {
        truncateSync(this.#journalPath, end);
        this.#warn(`Cut a truncated last line off "${this.#journalPath}" (a crash during a write)`);
      } else {
        const aside = `${this.#journalPath}.${Date.now()}.bak`;
        renameSync(this.#journalPath, aside);
        writeFileSync(this.#journalPath, raw.subarray(0, end));
        this.#warn(
          `Moved "${this.#journalPath}" to "${aside}" and kept its first ${keep} line(s): ` +
            "the resumed state does not have what follows",
        );
      }
    }
    this.#steps = steps;
    this.#messages = messages;
    this.#numbers = new WeakMap();
    this.#tracked = undefined;
    this.#opened = true;
  }

  /**
   * The newest readable checkpoint, or `undefined` when there is none.
   * Corrupt or truncated snapshots are skipped with a warning naming the file.
   *
   * @param options The task of the run about to resume, to refuse another task's checkpoint.
   * @returns The state to pass as `resume`.
   * @throws {CheckpointError} When the newest readable checkpoint belongs to another task.
   */
  // deno-lint-ignore require-await
  async latest(options: LatestCheckpointOptions = {}): Promise<LoopState | undefined> {
    let entries: Entry[];
    let candidates: Candidate[];
    try {
      entries = this.#read(true).entries;
      candidates = this.#candidates(entries);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
    if (candidates.length === 0) return undefined;
    const path = this.#journalPath;
    const records: StepRecord[] = [];
    const messages: Entry[] = [];
    let stepsBroken = false;
    for (const entry of entries) {
      if (entry.kind === "message") messages.push(entry);
      else if (entry.kind === "step" && !stepsBroken) {
        try {
          records.push(decodeStep(entry.value, path, `line ${entry.line}`));
        } catch (error) {
          this.#warn(
            `Stopped reading steps of "${path}" at line ${entry.line}: ${describe(error)}`,
          );
          stepsBroken = true;
        }
      }
    }
    const message = (index: number): Message | undefined => {
      const entry = messages[index];
      return entry && decodeMessage(entry.value, path, `line ${entry.line}`);
    };
    for (const candidate of candidates) {
      let state: LoopState;
      try {
        if (candidate.error !== undefined) throw new Error(candidate.error);
        state = decodeCheckpoint(candidate.document, candidate.label, records, message);
      } catch (error) {
        this.#warn(
          `Skipped checkpoint ${candidate.label}: ${
            describe(error)
          }; falling back to the previous checkpoint`,
        );
        continue;
      }
      if (options.task !== undefined && this.#key(options.task) !== JSON.stringify(state.task)) {
        throw new CheckpointError(
          `Cannot resume from ${candidate.label}: it is a checkpoint of another task ` +
            `(${JSON.stringify(state.task).slice(0, 80)}), not ${
              JSON.stringify(options.task).slice(0, 80)
            }; use the directory of that run, or a new one`,
          candidate.file,
        );
      }
      this.#addInterrupted(state, entries, candidate.seq);
      return state;
    }
    this.#warn(`No readable checkpoint in "${this.directory}"; starting from the beginning`);
    return undefined;
  }

  /** Calls of the queue that started after the snapshot was taken and have no result. */
  #addInterrupted(state: LoopState, entries: readonly Entry[], seq: number): void {
    let after = entries.findIndex((e) => e.kind === "snapshot" && e.value.seq === seq);
    if (after < 0) after = entries.length;
    const queued = new Set(state.queue.map((call) => call.id));
    for (const entry of entries.slice(after + 1)) {
      if (entry.kind !== "effect_start" || !queued.has(entry.value.call_id as string)) continue;
      const effect = decodeEffect(entry.value, this.#journalPath, `line ${entry.line}`);
      if (state.inFlight?.some((known) => known.callId === effect.callId)) continue;
      (state.inFlight ??= []).push(effect);
    }
  }

  /**
   * Delete every checkpoint in the directory (the directory stays).
   *
   * @returns Nothing.
   */
  async clear(): Promise<void> {
    await this.close();
    try {
      for (const name of readdirSync(this.directory)) {
        if (SNAPSHOT.test(name) || name === JOURNAL || name.endsWith(".tmp")) {
          unlinkSync(join(this.directory, name));
        }
      }
    } catch (error) {
      if (!notFound(error)) throw error;
    }
    this.#opened = false;
  }

  /** Snapshots to try, newest first: unreadable files (reported), then by seq, a line before a file. */
  #candidates(entries: readonly Entry[]): Candidate[] {
    const found: Candidate[] = [];
    entries.forEach((entry, index) => {
      if (entry.kind !== "snapshot") return;
      const label = `"${this.#journalPath}" line ${entry.line}`;
      found.push({
        seq: Number(entry.value.seq),
        label,
        file: this.#journalPath,
        document: entry.value,
        index,
      });
    });
    for (const entry of readdirSync(this.directory, { withFileTypes: true })) {
      if (!SNAPSHOT.test(entry.name) || !entry.isFile()) continue;
      const file = join(this.directory, entry.name);
      try {
        const document = JSON.parse(readFileSync(file, "utf8"));
        if (document?.format !== CHECKPOINT_FORMAT || !Number.isInteger(document.seq)) {
          throw new Error("it is not a looplet checkpoint snapshot ('format' or 'seq' missing)");
        }
        found.push({ seq: document.seq, label: `"${file}"`, file, document });
      } catch (error) {
        // Unreadable: it may be the newest, so it is tried (and reported) first.
        found.push({ seq: Infinity, label: `"${file}"`, file, error: describe(error) });
      }
    }
    return found.sort((a, b) =>
      b.seq - a.seq || Number(a.index === undefined) - Number(b.index === undefined)
    );
  }

  /** The journal's entries up to the first line that is torn or not an entry (reported when `report`). */
  #read(report: boolean): { entries: Entry[]; size: number } {
    let raw: Uint8Array;
    try {
      raw = readFileSync(this.#journalPath);
    } catch (error) {
      if (notFound(error)) return { entries: [], size: 0 };
      throw error;
    }
    const entries: Entry[] = [];
    for (let start = 0; start < raw.length;) {
      const end = raw.indexOf(10, start);
      if (end < 0) {
        if (report) {
          this.#warn(
            `Ignored a truncated last line in "${this.#journalPath}" (a crash during a write)`,
          );
        }
        break;
      }
      let value: Record<string, unknown> | undefined;
      try {
        value = JSON.parse(decoder.decode(raw.subarray(start, end)));
      } catch { /* reported below */ }
      if (typeof value?.kind !== "string" || !KINDS.has(value.kind)) {
        if (report) {
          this.#warn(
            `Stopped reading "${this.#journalPath}" at line ${entries.length + 1}: it is not a ` +
              "journal entry (garbage, or a file of another program)",
          );
        }
        break;
      }
      entries.push({ kind: value.kind, value, line: entries.length + 1, end: end + 1 });
      start = end + 1;
    }
    return { entries, size: raw.length };
  }

  /** The task as it is written (redacted), for comparing runs. */
  #key(task: unknown): string {
    return JSON.stringify(toJsonValue(task, this.#redact));
  }

  #error(problem: string, cause?: unknown, file = this.#journalPath): CheckpointError {
    return new CheckpointError(`Cannot save checkpoint in "${this.directory}": ${problem}`, file, {
      cause,
    });
  }

  #warn(message: string): void {
    this.warnings.push(message);
    this.#onWarning?.(message);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a file system call failed because the path does not exist. */
function notFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENOENT";
}

/** Join a directory and a file name as given (`node:path` would normalize the path messages name). */
function join(directory: string, name: string): string {
  return /[/\\]$/.test(directory) ? directory + name : `${directory}/${name}`;
}
