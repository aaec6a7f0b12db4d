import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  decodeMessage,
  decodeStep,
  encodeCheckpoint,
  encodeMessage,
  encodeStep,
} from "../loop/checkpoint_codec.ts";
import { CheckpointError } from "../loop/checkpoint_error.ts";
import type { LoopState, Message, StepRecord } from "../loop/types.ts";

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
  /** `fsync` each snapshot file before it is renamed into place (survives power loss, not only crashes). @default false */
  readonly durable?: boolean;
  /**
   * Write every N-th step snapshot as its own file (temporary file + rename);
   * the others are appended to `snapshots.jsonl`, which is cheaper. @default 1
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
const STEPS = "steps.jsonl";
const MESSAGES = "messages.jsonl";
const LINES = "snapshots.jsonl";
/** `snapshots.jsonl` is emptied after a snapshot file once it is larger than this. */
const LINES_LIMIT = 1 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An append-only JSON-lines journal with an open handle. */
class Journal {
  #file: Deno.FsFile | undefined;
  constructor(readonly path: string) {}

  append(lines: string): void {
    this.#file ??= Deno.openSync(this.path, { append: true, create: true });
    const bytes = encoder.encode(lines);
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
  }

  /** Empty the journal (its entries are all older than a snapshot just written). */
  clear(): void {
    this.#file ??= Deno.openSync(this.path, { append: true, create: true });
    this.#file.truncateSync(0);
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/** A journal's complete lines: the text of each, and the byte offset after each. */
interface JournalLines {
  readonly lines: string[];
  /** bytes[i] = offset after i lines. */
  readonly bytes: number[];
  /** File size (larger than the last offset when the last line was cut by a crash). */
  readonly size: number;
}

/**
 * Checkpoints of one run in a directory, cheap at every step however long the
 * run: append-only journals (`steps.jsonl`: one step per line;
 * `messages.jsonl`: each transcript message once), a small snapshot per step
 * (`checkpoint-00000042.json`: counters, queue, metadata and the transcript as
 * ranges of message-journal lines, written to a temporary file and renamed
 * into place), and the same snapshot appended to `snapshots.jsonl` after each
 * model reply (and for the steps between files, with `fileEvery`). `latest()` resumes from the newest readable snapshot; corrupt
 * or truncated ones are skipped with a warning naming the file.
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
  readonly #fileEvery: number;
  #stepSaves = 0;
  readonly #steps: Journal;
  readonly #messages: Journal;
  readonly #lines: Journal;
  #linesBytes = 0;
  /** Snapshot files written or found, oldest first (the newest `keep` are kept). */
  #files: string[] = [];
  #seq: number | undefined;
  #journaledSteps = 0;
  #messageCount = 0;
  #messageIndex = new WeakMap<Message, number>();
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
    this.#durable = durable;
    this.#fileEvery = fileEvery;
    this.#steps = new Journal(join(directory, STEPS));
    this.#messages = new Journal(join(directory, MESSAGES));
    this.#lines = new Journal(join(directory, LINES));
  }

  /**
   * Save the state: append new steps and messages to the journals, then write
   * a snapshot atomically (temporary file, then rename). With `reply: true`
   * (the state right after a model reply, before its calls run), and for the
   * steps between files with `fileEvery`, the snapshot is appended to
   * `snapshots.jsonl` instead: cheaper, and a line cut by a crash is ignored.
   * Saves are serialised.
   *
   * @param state The run state.
   * @param options `reply`: the state was taken right after a model reply.
   * @returns The file written.
   * @throws {CheckpointError} When the directory holds checkpoints of another task.
   */
  save(state: LoopState, options: { readonly reply?: boolean } = {}): Promise<string> {
    const next = this.#queue.then(() => this.#save(state, options.reply === true));
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Close the journals' file handles (the next save opens them again).
   * `checkpointHook` calls it when the run ends.
   *
   * @returns Nothing.
   */
  async close(): Promise<void> {
    await this.#queue;
    this.#steps.close();
    this.#messages.close();
    this.#lines.close();
  }

  #save(state: LoopState, reply: boolean): string {
    try {
      return this.#write(state, reply);
    } catch (error) {
      // Start over on the next save: recount the journals from disk.
      this.#seq = undefined;
      this.#steps.close();
      this.#messages.close();
      this.#lines.close();
      throw error;
    }
  }

  #write(state: LoopState, reply: boolean): string {
    if (this.#seq === undefined) this.#open(state);
    const redact = this.#redact;
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
          this.#steps.path,
        );
      }
      let lines = "";
      for (let number = this.#journaledSteps; number < count; number++) {
        lines += JSON.stringify(encodeStep(state.steps[number - dropped], { redact })) + "\n";
      }
      this.#steps.append(lines);
      this.#journaledSteps = count;
    }
    let lines = "";
    const messageRef = (message: Message) => {
      let index = this.#messageIndex.get(message);
      if (index === undefined) {
        index = this.#messageCount++;
        this.#messageIndex.set(message, index);
        lines += JSON.stringify(encodeMessage(message, { redact })) + "\n";
      }
      return index;
    };
    const text = JSON.stringify(encodeCheckpoint(state, { redact, omitSteps: true, messageRef }));
    if (lines !== "") this.#messages.append(lines);
    const seq = ++this.#seq!;
    const final = state.stopReason !== undefined;
    if (reply || (!final && ++this.#stepSaves % this.#fileEvery !== 0)) {
      const line = `{"seq":${seq},${text.slice(1)}\n`;
      this.#lines.append(line);
      this.#linesBytes += line.length;
      return this.#lines.path;
    }
    const file = join(this.directory, snapshotName(seq));
    const temp = `${file}.tmp`;
    const document = `{"seq":${seq},${text.slice(1)}`;
    if (this.#durable) {
      using handle = Deno.openSync(temp, { write: true, create: true, truncate: true });
      const bytes = encoder.encode(document);
      let written = 0;
      while (written < bytes.length) written += handle.writeSync(bytes.subarray(written));
      handle.syncSync();
    } else {
      Deno.writeTextFileSync(temp, document);
    }
    // A new name each time: on ext4, renaming over an existing file forces a flush (slow).
    Deno.renameSync(temp, file);
    if (this.#linesBytes > LINES_LIMIT) {
      this.#lines.clear();
      this.#linesBytes = 0;
    }
    this.#files.push(file);
    while (this.#files.length > this.#keep) {
      try {
        Deno.removeSync(this.#files.shift()!);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return file;
  }

  /** First save of this store: check the task, number after what is there, repair the journals. */
  #open(state: LoopState): void {
    Deno.mkdirSync(this.directory, { recursive: true });
    const snapshots = this.#snapshots().filter((snapshot) => snapshot.error === undefined);
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
    const lines = this.#readJournal(LINES);
    if (lines.size > lines.bytes[lines.lines.length]) {
      Deno.truncateSync(this.#lines.path, lines.bytes[lines.lines.length]);
    }
    this.#linesBytes = lines.bytes[lines.lines.length];
    // Steps: keep the journal's lines that match the state's steps; drop the rest.
    // Lines of steps the state no longer holds (keepSteps) cannot be compared: they are kept.
    const steps = this.#readJournal(STEPS);
    const dropped = state.stepsDropped ?? 0;
    const count = dropped + state.steps.length;
    let keep = Math.min(dropped, steps.lines.length);
    while (keep < steps.lines.length && keep < count) {
      let record: StepRecord;
      try {
        record = decodeStep(JSON.parse(steps.lines[keep]), this.#steps.path);
      } catch {
        break;
      }
      const expected = state.steps[keep - dropped];
      if (record.number !== expected.number || record.call.id !== expected.call.id) break;
      keep++;
    }
    if (steps.size > steps.bytes[keep]) {
      if (keep < steps.lines.length) {
        this.#warn(
          `Dropped ${
            steps.lines.length - keep
          } step(s) from "${this.#steps.path}" that the resumed state does not have`,
        );
      }
      Deno.truncateSync(this.#steps.path, steps.bytes[keep]);
    }
    this.#journaledSteps = keep;
    // Messages: lines are only ever referenced by snapshots written after them; drop a cut last line.
    const messages = this.#readJournal(MESSAGES);
    if (messages.size > messages.bytes[messages.lines.length]) {
      Deno.truncateSync(this.#messages.path, messages.bytes[messages.lines.length]);
    }
    this.#messageCount = messages.lines.length;
    this.#messageIndex = new WeakMap();
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
    let snapshots: Snapshot[];
    try {
      snapshots = this.#snapshots(true);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    if (snapshots.length === 0) return undefined;
    const steps = this.#readJournal(STEPS, true);
    const records: StepRecord[] = [];
    for (const [index, line] of steps.lines.entries()) {
      try {
        records.push(decodeStep(JSON.parse(line), this.#steps.path, `line ${index + 1}`));
      } catch (error) {
        this.#warn(
          `Stopped reading "${this.#steps.path}" at line ${index + 1}: ${describe(error)}`,
        );
        break;
      }
    }
    const messageLines = this.#readJournal(MESSAGES, true).lines;
    const decoded = new Map<number, Message | null>();
    const message = (index: number): Message | undefined => {
      if (!decoded.has(index)) {
        try {
          decoded.set(
            index,
            index < messageLines.length
              ? decodeMessage(
                JSON.parse(messageLines[index]),
                this.#messages.path,
                `line ${index + 1}`,
              )
              : null,
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
          SNAPSHOT.test(entry.name) || entry.name === STEPS || entry.name === MESSAGES ||
          entry.name === LINES || entry.name.endsWith(".tmp")
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
    this.#linesBytes = 0;
  }

  /** Snapshots (files and reply lines), newest first; unreadable files come first, with their error. */
  #snapshots(report = false): Snapshot[] {
    const found: Snapshot[] = [];
    const journal = this.#readJournal(LINES, report);
    journal.lines.forEach((line, index) => {
      try {
        const document = JSON.parse(line);
        if (Number.isInteger(document?.seq) && document.format === CHECKPOINT_FORMAT) {
          found.push({
            file: this.#lines.path,
            line: index + 1,
            seq: document.seq,
            task: document.task,
            document,
          });
          return;
        }
      } catch { /* reported below */ }
      if (report) this.#warn(`Skipped an unreadable line ${index + 1} in "${this.#lines.path}"`);
    });
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
    return found.sort((a, b) => b.seq - a.seq);
  }

  /** A journal's complete lines (a cut last line is reported when `report`). */
  #readJournal(name: string, report = false): JournalLines {
    const path = join(this.directory, name);
    let raw: Uint8Array;
    try {
      raw = Deno.readFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { lines: [], bytes: [0], size: 0 };
      throw error;
    }
    const lines: string[] = [];
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
      lines.push(decoder.decode(raw.subarray(start, end)));
      start = end + 1;
      bytes.push(start);
    }
    return { lines, bytes, size: raw.length };
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
  /** Set for a snapshot appended to `snapshots.jsonl`: its line. */
  readonly line?: number;
  readonly seq: number;
  readonly task: unknown;
  readonly document: unknown;
  readonly error?: string;
}

/** `"dir/checkpoint-00000042.json"` or `"dir/snapshots.jsonl" line 7`. */
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
