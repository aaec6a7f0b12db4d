import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  decodeMessage,
  decodeStep,
  encodeCheckpoint,
  encodeMessage,
  encodeStep,
} from "./checkpoint_codec.ts";
import { CheckpointError } from "../../loop/checkpoint_error.ts";
import { SnapshotWriter } from "./_snapshot_writer.ts";
import type { LoopState, Message, StepRecord } from "../../loop/types.ts";

/**
 * Options of `FileCheckpointStore`.
 *
 * @example Durable, redacted checkpoints
 * ```ts ignore
 * const store = new FileCheckpointStore(".looplet/run-1", {
 *   keep: 5,
 *   durable: true,
 *   fileEvery: 10,
 *   redact: redactSecrets(),
 *   onWarning: console.warn,
 * });
 * ```
 */
export interface FileCheckpointStoreOptions {
  /** Snapshots to keep; older ones are deleted after each save. At least 2, so a corrupt newest one has a fallback. @default 3 */
  readonly keep?: number;
  /** Applied to every string of content before anything is written. @default identity */
  readonly redact?: (text: string) => string;
  /** Receives each warning (for example a corrupt file skipped); they are also kept in `warnings`. */
  readonly onWarning?: (message: string) => void;
  /** Flush the journal to disk (`fdatasync`) after each append and `fsync` each snapshot file before its rename: saves survive power loss, not only crashes. @default false */
  readonly durable?: boolean;
  /**
   * Also write every N-th step snapshot as its own file (temporary file +
   * rename); every snapshot is a line of `journal.jsonl` anyway. @default 1
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

const SNAPSHOT = /^checkpoint-(\d{8})\.json$/;
const JOURNAL = "journal.jsonl";
/** Files of the version 1 layout, removed by `clear()`. */
const OLD_JOURNALS = ["steps.jsonl", "messages.jsonl", "snapshots.jsonl"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An append-only JSON-lines journal with an open handle. */
class Journal {
  #file: Deno.FsFile | undefined;
  #buffer = new Uint8Array(64 * 1024);
  readonly path: string;
  readonly durable: boolean;

  constructor(path: string, durable: boolean) {
    this.path = path;
    this.durable = durable;
  }

  append(lines: string): void {
    this.#file ??= Deno.openSync(this.path, { append: true, create: true });
    // Encoded into a reused buffer (no allocation per save); a rare large save gets its own.
    const bytes = lines.length * 3 <= this.#buffer.length
      ? this.#buffer.subarray(0, encoder.encodeInto(lines, this.#buffer).written)
      : encoder.encode(lines);
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
    if (this.durable) this.#file.syncDataSync();
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/** One line of `journal.jsonl`. */
interface JournalEntry {
  readonly kind: "step" | "message" | "snapshot";
  readonly value: Record<string, unknown>;
  /** Its line number, from 1. */
  readonly line: number;
}

/** The journal's readable entries, and the byte offset after each. */
interface JournalEntries {
  readonly entries: JournalEntry[];
  /** bytes[i] = offset after i entries. */
  readonly bytes: number[];
  /** File size (larger than the last offset when the last line was cut by a crash). */
  readonly size: number;
}

/**
 * Checkpoints of one run in a directory, cheap at every step however long the
 * run: one append-only journal (`journal.jsonl`: each step and each
 * transcript message once, and every snapshot, one per line; each save
 * appends once and returns when it is written), and the snapshot after each
 * step as its own JSON document (`checkpoint-00000042.json`: counters, queue,
 * metadata and the transcript as ranges of journaled messages, written to a
 * temporary file and renamed into place, by a writer thread after the first
 * few; `close()` waits for them). `latest()` resumes from the newest readable
 * snapshot; corrupt or truncated ones are skipped with a warning naming the
 * file.
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
  readonly #keep: number;
  readonly #redact?: (text: string) => string;
  readonly #onWarning?: (message: string) => void;
  readonly #writer: SnapshotWriter;
  readonly #fileEvery: number;
  #stepSaves = 0;
  readonly #journal: Journal;
  /** Snapshot files written or found, oldest first (the newest `keep` are kept). */
  #files: string[] = [];
  #seq: number | undefined;
  #journaledSteps = 0;
  #messageCount = 0;
  #messageIndex = new WeakMap<Message, number>();
  /** The transcript at the last save and its messages' journal numbers. */
  #lastTranscript: readonly Message[] = [];
  #lastRefs: readonly number[] = [];

  /**
   * Make a store over `directory` (created on the first save).
   *
   * @param directory Where the checkpoints go; one directory per run.
   * @param options Retention, redaction, warnings and durability.
   * @throws {TypeError} When `directory` is empty.
   * @throws {RangeError} When `keep` is below 2.
   */
  constructor(directory: string, options: FileCheckpointStoreOptions = {}) {
    const { keep = 3, redact, onWarning, durable = false, fileEvery = 1 } = options;
    if (typeof directory !== "string" || directory === "") {
      throw new TypeError("Cannot make checkpoint store: 'directory' must be a non-empty path");
    }
    if (!Number.isInteger(keep) || keep < 2) {
      throw new RangeError(
        `Cannot make checkpoint store: 'keep' must be an integer of at least 2, got ${keep}`,
      );
    }
    if (!Number.isInteger(fileEvery) || fileEvery < 1) {
      throw new RangeError(
        `Cannot make checkpoint store: 'fileEvery' must be a positive integer, got ${fileEvery}`,
      );
    }
    if (redact !== undefined && typeof redact !== "function") {
      throw new TypeError("Cannot make checkpoint store: 'redact' must be a (text) => string");
    }
    this.directory = directory;
    this.#keep = keep;
    this.#redact = redact;
    this.#onWarning = onWarning;
    this.#fileEvery = fileEvery;
    this.#journal = new Journal(join(directory, JOURNAL), durable);
    this.#writer = new SnapshotWriter(durable);
  }

  /**
   * Save the state: append the new steps, the new messages and the snapshot
   * to the journal in one write (done when the promise resolves; a line cut
   * by a crash is ignored when reading). After a step (every `fileEvery`-th)
   * and at the end, the snapshot is also written as its own file, atomically
   * (temporary file, then rename); after the first few, those files are
   * written on a worker thread while the run goes on, and `close()` waits for
   * them. With `reply: true` (the state right after a model reply, before its
   * calls run) there is no file. Saves never interleave.
   *
   * @param state The run state.
   * @param options `reply`: the state was taken right after a model reply.
   * @returns The snapshot file, or the journal when the snapshot is only a line.
   * @throws {CheckpointError} When the directory holds checkpoints of another task, or an earlier snapshot file could not be written.
   */
  save(state: LoopState, options: { readonly reply?: boolean } = {}): Promise<string> {
    // The writes are synchronous, so saves cannot interleave: no queue needed.
    try {
      return Promise.resolve(this.#save(state, options.reply === true));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `save`, returning once the journal holds the state (the snapshot file may
   * still be on its way: `close()` waits for it). `checkpointHook` uses it.
   *
   * @param state The run state.
   * @param options `reply`: the state was taken right after a model reply.
   * @returns The snapshot file, or the journal when the snapshot is only a line.
   * @throws {CheckpointError} As `save` rejects.
   * @example Save outside a loop
   * ```ts ignore
   * const store = new FileCheckpointStore(".looplet/run-1");
   * store.saveSync(outcome.state);
   * await store.close();
   * ```
   */
  saveSync(state: LoopState, options: { readonly reply?: boolean } = {}): string {
    return this.#save(state, options.reply === true);
  }

  /**
   * Snapshot files written so far, and those not written because a newer
   * snapshot replaced them (under `keep`) before the writer thread reached
   * them: each such snapshot is still in the journal.
   *
   * @example See how many snapshot files a run wrote
   * ```ts ignore
   * const store = new FileCheckpointStore(".looplet/run-1");
   * await composableLoop({ llm, tools, task, hooks: [checkpointHook(store)] }).complete();
   * console.log(store.snapshotFiles); // { written: 41, superseded: 0 }
   * ```
   */
  get snapshotFiles(): { readonly written: number; readonly superseded: number } {
    return this.#writer.counts;
  }

  /**
   * Wait for the snapshot files still being written, stop the writer thread
   * and close the journal's file handle (the next save opens it again).
   * `checkpointHook` calls it when the run ends.
   *
   * @returns Nothing.
   * @throws {CheckpointError} When a snapshot file could not be written.
   */
  async close(): Promise<void> {
    this.#journal.close();
    try {
      await this.#writer.close();
    } catch (error) {
      throw this.#writeFailed(error);
    }
  }

  #save(state: LoopState, reply: boolean): string {
    try {
      const failed = this.#writer.error;
      if (failed !== undefined) throw this.#writeFailed(failed);
      return this.#write(state, reply);
    } catch (error) {
      // Start over on the next save: recount the journal from disk.
      this.#seq = undefined;
      this.#journal.close();
      throw error;
    }
  }

  #write(state: LoopState, reply: boolean): string {
    if (this.#seq === undefined) this.#open(state);
    const redact = this.#redact;
    // Everything new goes to the journal in one append: steps, messages, and
    // the snapshot itself when it is a line.
    let lines = "";
    const dropped = state.stepsDropped ?? 0;
    const count = dropped + state.steps.length;
    if (count > this.#journaledSteps) {
      if (this.#journaledSteps < dropped) {
        const lost = this.#journaledSteps + 1 === dropped
          ? `step ${dropped}`
          : `steps ${this.#journaledSteps + 1} to ${dropped}`;
        throw new CheckpointError(
          `Cannot save checkpoint in "${this.directory}": ${lost} left memory (keepSteps) ` +
            "before it was saved; save at least every keepSteps steps",
          this.#journal.path,
        );
      }
      for (const unsaved of state.steps.slice(this.#journaledSteps - dropped)) {
        const step = JSON.stringify(encodeStep(unsaved, { redact }));
        lines += `{"kind":"step",${step.slice(1)}\n`;
      }
    }
    let messages = this.#messageCount;
    // Most of the transcript is where it was at the last save: compare by position first.
    const previous = this.#lastTranscript;
    const previousRefs = this.#lastRefs;
    const refs = new Array<number>(state.transcript.length);
    const messageRef = (message: Message, position: number) => {
      let index = previous[position] === message
        ? previousRefs[position]
        : this.#messageIndex.get(message);
      if (index === undefined) {
        index = messages++;
        this.#messageIndex.set(message, index);
        lines += `{"kind":"message",${
          JSON.stringify(encodeMessage(message, { redact })).slice(1)
        }\n`;
      }
      refs[position] = index;
      return index;
    };
    const text = JSON.stringify(encodeCheckpoint(state, { redact, omitSteps: true, messageRef }));
    const seq = this.#seq! + 1;
    const final = state.stopReason !== undefined;
    // Every snapshot is a journal line, written before save() resolves: that
    // line is what a resumed run relies on. Every fileEvery-th step save (and
    // the last) is also its own file, written by the snapshot writer.
    lines += `{"kind":"snapshot","seq":${seq},${text.slice(1)}\n`;
    this.#journal.append(lines);
    // Only once the journal holds them: a failed append leaves the counts as on disk.
    this.#journaledSteps = count;
    this.#messageCount = messages;
    this.#lastTranscript = state.transcript.slice();
    this.#lastRefs = refs;
    this.#seq = seq;
    if (reply) return this.#journal.path;
    if (!final && ++this.#stepSaves % this.#fileEvery !== 0) return this.#journal.path;
    const file = join(this.directory, snapshotName(seq));
    this.#files.push(file);
    const remove = this.#files.length > this.#keep
      ? this.#files.splice(0, this.#files.length - this.#keep)
      : [];
    this.#writer.write({ file, text: `{"seq":${seq},${text.slice(1)}`, remove });
    return file;
  }

  #writeFailed(error: unknown): CheckpointError {
    return new CheckpointError(
      `Cannot save checkpoint in "${this.directory}": a snapshot file ${describe(error)}`,
      this.directory,
    );
  }

  /** First save of this store: check the task, number after what is there, repair the journal. */
  #open(state: LoopState): void {
    Deno.mkdirSync(this.directory, { recursive: true });
    const journal = this.#readEntries();
    const snapshots = this.#snapshots(false, journal)
      .filter((snapshot) => snapshot.error === undefined);
    const newest = snapshots[0];
    if (newest !== undefined && JSON.stringify(newest.task) !== this.#key(state.task)) {
      throw new CheckpointError(
        `Cannot save checkpoint in "${this.directory}": ${label(newest)} is a checkpoint of ` +
          `another task (${
            JSON.stringify(newest.task).slice(0, 80)
          }); use a new directory per run ` +
          "or call clear() first",
        newest.file,
      );
    }
    this.#seq = Math.max(0, ...snapshots.map((snapshot) => snapshot.seq));
    this.#files = snapshots.filter((snapshot) => snapshot.line === undefined)
      .map((snapshot) => snapshot.file).reverse();
    // Keep the journal up to the first step the state does not have (a crash
    // after an append, or a resume from an older snapshot); cut the rest, and
    // a last line cut by a crash. Steps the state no longer holds (keepSteps)
    // cannot be compared: they are kept.
    const dropped = state.stepsDropped ?? 0;
    let cut = journal.entries.length;
    let steps = 0;
    let messages = 0;
    for (const [index, entry] of journal.entries.entries()) {
      if (entry.kind === "step") {
        const expected = state.steps[steps - dropped];
        const kept = steps < dropped ||
          (expected !== undefined && entry.value.number === expected.number &&
            (entry.value.call as { id?: unknown } | undefined)?.id === expected.call.id);
        if (!kept) {
          cut = index;
          break;
        }
        steps++;
      } else if (entry.kind === "message") messages++;
    }
    const keptBytes = journal.bytes[cut] ?? journal.size;
    if (journal.size > keptBytes) {
      const extra = journal.entries.slice(cut).filter((entry) => entry.kind === "step").length;
      if (extra > 0) {
        this.#warn(
          `Dropped ${extra} step(s) from "${this.#journal.path}" that the resumed state does not have`,
        );
      }
      Deno.truncateSync(this.#journal.path, keptBytes);
    }
    this.#journaledSteps = steps;
    this.#messageCount = messages;
    this.#messageIndex = new WeakMap();
    this.#lastTranscript = [];
    this.#lastRefs = [];
  }

  /**
   * The newest readable checkpoint, or `undefined` when there is none. Corrupt
   * or truncated snapshots are skipped with a warning naming the file.
   *
   * @param options The task of the run about to resume, to refuse another task's checkpoint.
   * @returns The state to pass as `resume`.
   * @throws {CheckpointError} When the newest readable checkpoint belongs to another task.
   */
  latest(options: LatestCheckpointOptions = {}): Promise<LoopState | undefined> {
    try {
      return Promise.resolve(this.#latest(options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #latest(options: LatestCheckpointOptions): LoopState | undefined {
    let snapshots: Snapshot[];
    let journal: JournalEntries;
    try {
      journal = this.#readEntries(true);
      snapshots = this.#snapshots(true, journal);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    if (snapshots.length === 0) return undefined;
    const path = this.#journal.path;
    const records: StepRecord[] = [];
    const messageEntries: JournalEntry[] = [];
    let stepsBroken = false;
    for (const entry of journal.entries) {
      if (entry.kind === "message") messageEntries.push(entry);
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
    const decoded = new Map<number, Message | null>();
    const message = (index: number): Message | undefined => {
      if (!decoded.has(index)) {
        const entry = messageEntries[index];
        try {
          decoded.set(
            index,
            entry === undefined ? null : decodeMessage(entry.value, path, `line ${entry.line}`),
          );
        } catch {
          decoded.set(index, null);
        }
      }
      return decoded.get(index) ?? undefined;
    };
    for (const snapshot of snapshots) {
      if (snapshot.error !== undefined) {
        this.#warn(
          `Skipped checkpoint ${
            label(snapshot)
          }: ${snapshot.error}; falling back to the previous checkpoint`,
        );
        continue;
      }
      let state: LoopState;
      try {
        const source = snapshot.file +
          (snapshot.line === undefined ? "" : ` line ${snapshot.line}`);
        state = decodeCheckpoint(snapshot.document, source, records, message);
      } catch (error) {
        this.#warn(
          `Skipped checkpoint ${label(snapshot)}: ${
            describe(error)
          }; falling back to the previous checkpoint`,
        );
        continue;
      }
      if (options.task !== undefined && this.#key(options.task) !== JSON.stringify(state.task)) {
        throw new CheckpointError(
          `Cannot resume from ${label(snapshot)}: it is a checkpoint of another task ` +
            `(${JSON.stringify(state.task).slice(0, 80)}), not ${
              JSON.stringify(options.task).slice(0, 80)
            }; use the directory of that run, or a new one`,
          snapshot.file,
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
    await this.close();
    try {
      for (const entry of Deno.readDirSync(this.directory)) {
        if (
          SNAPSHOT.test(entry.name) || entry.name === JOURNAL ||
          OLD_JOURNALS.includes(entry.name) || entry.name.endsWith(".tmp")
        ) {
          Deno.removeSync(join(this.directory, entry.name));
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.#seq = undefined;
    this.#journaledSteps = 0;
    this.#messageCount = 0;
  }

  /** Snapshots (files and journal lines), newest first; unreadable files come first, with their error. */
  #snapshots(report: boolean, journal: JournalEntries): Snapshot[] {
    const found: Snapshot[] = [];
    for (const entry of journal.entries) {
      if (entry.kind !== "snapshot") continue;
      const document = entry.value;
      if (Number.isInteger(document.seq) && document.format === CHECKPOINT_FORMAT) {
        found.push({
          file: this.#journal.path,
          line: entry.line,
          seq: document.seq as number,
          task: document.task,
          document,
        });
      } else if (report) {
        this.#warn(
          `Skipped an unreadable snapshot at line ${entry.line} of "${this.#journal.path}"`,
        );
      }
    }
    for (const entry of Deno.readDirSync(this.directory)) {
      if (!SNAPSHOT.test(entry.name) || !entry.isFile) continue;
      const file = join(this.directory, entry.name);
      try {
        const document = JSON.parse(Deno.readTextFileSync(file));
        if (
          typeof document !== "object" || document === null || !Number.isInteger(document.seq) ||
          document.format !== CHECKPOINT_FORMAT
        ) {
          throw new Error("it is not a looplet checkpoint snapshot ('format' or 'seq' missing)");
        }
        if (document.version !== CHECKPOINT_VERSION) {
          throw new Error(
            `it has version ${
              JSON.stringify(document.version)
            }; this store reads version ${CHECKPOINT_VERSION} (journal.jsonl)`,
          );
        }
        found.push({ file, seq: document.seq, task: document.task, document });
      } catch (error) {
        // Unreadable: it may be the newest, so it is tried (and reported) first.
        found.push({
          file,
          seq: Number.POSITIVE_INFINITY,
          task: undefined,
          document: undefined,
          error: describe(error),
        });
      }
    }
    // Newest first; a snapshot's file before its journal copy (the copy is the fallback).
    return found.sort((a, b) =>
      b.seq - a.seq || Number(a.line !== undefined) - Number(b.line !== undefined)
    );
  }

  /**
   * The journal's entries up to the first line that is cut by a crash or not
   * an entry (reported when `report`): what follows cannot be numbered.
   */
  #readEntries(report = false): JournalEntries {
    const path = this.#journal.path;
    let raw: Uint8Array;
    try {
      raw = Deno.readFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { entries: [], bytes: [0], size: 0 };
      throw error;
    }
    const entries: JournalEntry[] = [];
    const bytes = [0];
    let start = 0;
    while (start < raw.length) {
      const end = raw.indexOf(10, start);
      if (end < 0) {
        if (report) {
          this.#warn(`Ignored a truncated last line in "${path}" (a crash during a write)`);
        }
        break;
      }
      const line = entries.length + 1;
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(raw.subarray(start, end)));
      } catch { /* reported below */ }
      const kind = (value as { kind?: unknown } | null)?.kind;
      if (kind !== "step" && kind !== "message" && kind !== "snapshot") {
        if (report) {
          this.#warn(
            `Stopped reading "${path}" at line ${line}: it is not a journal entry ` +
              "(a step, a message or a snapshot)",
          );
        }
        break;
      }
      entries.push({ kind, value: value as Record<string, unknown>, line });
      start = end + 1;
      bytes.push(start);
    }
    return { entries, bytes, size: raw.length };
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

interface Snapshot {
  readonly file: string;
  /** Set for a snapshot appended to `journal.jsonl`: its line. */
  readonly line?: number;
  readonly seq: number;
  readonly task: unknown;
  readonly document: unknown;
  readonly error?: string;
}

/** `"dir/checkpoint-00000042.json"` or `"dir/journal.jsonl" line 7`. */
function label(snapshot: Snapshot): string {
  return `"${snapshot.file}"${snapshot.line === undefined ? "" : ` line ${snapshot.line}`}`;
}

function snapshotName(seq: number): string {
  return `checkpoint-${String(seq).padStart(8, "0")}.json`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Join a directory and a file name (no `node:path`: it would slow down importing mod.ts). */
function join(directory: string, name: string): string {
  return directory.endsWith("/") || directory.endsWith("\\")
    ? directory + name
    : `${directory}/${name}`;
}
