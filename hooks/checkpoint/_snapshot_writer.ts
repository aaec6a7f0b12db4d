import type { Worker as NodeWorker } from "node:worker_threads";

/** One snapshot file to write: `text` to `${file}.tmp`, renamed to `file`; then `remove` the old ones. */
export interface SnapshotJob {
  readonly file: string;
  readonly text: string;
  readonly remove: readonly string[];
}

/** Files written in the caller's thread before a writer thread is started: short runs never pay for one. */
const INLINE_WRITES = 8;

// The shared memory: control cells, then a failure's message, then a ring of jobs.
/** Bytes handed over so far (wrapping 32-bit counter). */
const HEAD = 0;
/** Bytes the writer has finished (wrapping 32-bit counter). */
const TAIL = 1;
/** 1 while the writer naps (it wakes by itself soon), 2 while it sleeps until woken. */
const SLEEPING = 2;
/** 1 when the writer must stop once the ring is empty. */
const STOP = 3;
/** 1 once a write failed; the message is in the error area. */
const FAILED = 4;
/** Length of the failure's message in bytes. */
const ERROR_LENGTH = 5;
/** Files the writer wrote. */
const WRITTEN = 6;
/** Files the writer did not write because a later job of the same batch removes them. */
const SUPERSEDED = 7;
const CONTROL_BYTES = 32;
const ERROR_BYTES = 1024;
/** The ring of jobs (a power of two): each is an Int32 length, then `[file, remove]` as JSON, a newline and the text, padded to 4 bytes. */
const RING_BYTES = 1 << 18;
/** A job that may encode to more than this is written in the caller's thread once the ring is empty (order is kept). */
const MAX_JOB_BYTES = RING_BYTES / 4;
/** How long the writer waits for more jobs after a batch before it sleeps until woken. */
const NAP_MS = 2;
/** How long the caller waits for a writer that makes no progress before failing the save. */
const STALL_MS = 30_000;

/**
 * The writer thread (CommonJS, run with `eval`): it waits on the shared
 * memory, performs the jobs in order, frees their space, and records a
 * failure (after which it only skips jobs, so the caller never blocks on it).
 */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { sab, durable } = workerData;
const HEAD = ${HEAD}, TAIL = ${TAIL}, SLEEPING = ${SLEEPING}, STOP = ${STOP};
const FAILED = ${FAILED}, ERROR_LENGTH = ${ERROR_LENGTH};
const WRITTEN = ${WRITTEN}, SUPERSEDED = ${SUPERSEDED};
const control = new Int32Array(sab, 0, ${CONTROL_BYTES / 4});
const errorArea = new Uint8Array(sab, ${CONTROL_BYTES}, ${ERROR_BYTES});
const ringOffset = ${CONTROL_BYTES + ERROR_BYTES};
const ring = new Uint8Array(sab, ringOffset, ${RING_BYTES});
const lengths = new Int32Array(sab, ringOffset, ${RING_BYTES / 4});
const decoder = new TextDecoder();
let tail = Atomics.load(control, TAIL);
let failed = false;
const write = ${writeSnapshotFile};
const remove = ${removeSnapshotFile};
const recordFailure = ${recordFailure};
const failure = { control, errorArea, lengthCell: ERROR_LENGTH, flagCell: FAILED };
/**
 * Perform a batch of jobs in order, except that a file which a later job of
 * the same batch removes is not written at all (nor removed): the directory
 * ends as if every job had run, without writing files only to delete them.
 */
function perform(jobs) {
  const removedLater = new Set();
  for (const job of jobs) for (const old of job.remove) removedLater.add(old);
  const inBatch = new Set(jobs.map((job) => job.file));
  let file;
  try {
    for (const job of jobs) {
      file = job.file;
      if (removedLater.has(job.file)) Atomics.add(control, SUPERSEDED, 1);
      else {
        write(job.file, ring.slice(job.start, job.end), durable);
        Atomics.add(control, WRITTEN, 1);
      }
      for (const old of job.remove) if (!inBatch.has(old)) remove(old);
    }
  } catch (error) {
    failed = true;
    recordFailure(failure, "could not be written (" + file + "): " + (error && error.message || error));
  }
}
let busy = false;
for (;;) {
  const head = Atomics.load(control, HEAD);
  if (head === tail) {
    if (Atomics.load(control, STOP) === 1) break;
    // Right after work, nap: more jobs are likely, and they are taken in one
    // batch without the caller paying a wake-up each. When a nap finds
    // nothing, sleep until woken.
    Atomics.store(control, SLEEPING, busy ? 1 : 2);
    if (Atomics.load(control, HEAD) === tail && Atomics.load(control, STOP) === 0) {
      Atomics.wait(control, HEAD, tail, busy ? ${NAP_MS} : undefined);
    }
    Atomics.store(control, SLEEPING, 0);
    busy = false;
    continue;
  }
  busy = true;
  // Every job handed over so far is one batch; its space is freed after it.
  const jobs = [];
  while (tail !== head) {
    const position = tail & ${RING_BYTES - 1};
    const length = lengths[position >> 2];
    if (length < 0) {
      tail = (tail + ${RING_BYTES} - position) | 0; // the rest of the ring was skipped
      continue;
    }
    const start = position + 4;
    const newline = ring.indexOf(10, start);
    const [file, removals] = JSON.parse(decoder.decode(ring.slice(start, newline)));
    jobs.push({ file, remove: removals, start: newline + 1, end: start + length });
    tail = (tail + 4 + ((length + 3) & ~3)) | 0;
  }
  if (!failed) perform(jobs);
  Atomics.store(control, TAIL, tail);
  Atomics.notify(control, TAIL);
}
`;

/**
 * Writes a store's snapshot files (temporary file, then rename, then removal
 * of the oldest) without making the loop wait for the file system: the first
 * few in the caller's thread, then on a worker thread that overlaps the next
 * turn. Jobs are handed over through shared memory (no message per job, so
 * the caller pays a copy, not a wake-up), run in order, and the caller waits
 * only when the ring is full. A failure is kept in `error`; later jobs are
 * skipped (the store then fails its next save). The thread does not keep the
 * process alive; `close()` waits for the pending files and stops it.
 */
export class SnapshotWriter {
  #thread: WriterThread | undefined;
  #starting: Promise<void> | undefined;
  #inline = 0;
  #closed = false;
  /** Set when a thread could not be started: every file is written inline. */
  #threadless = false;
  /** Files written or superseded by this writer and its stopped threads. */
  #written = 0;
  #superseded = 0;

  /** `fsync` each file before it is renamed into place. */
  readonly durable: boolean;

  /** @param durable `fsync` each file before it is renamed into place. */
  constructor(durable: boolean) {
    this.durable = durable;
  }

  /** The first failure of a file written in the background, if any. */
  get error(): Error | undefined {
    return this.#thread?.error;
  }

  /**
   * Files written so far, and files not written because a newer snapshot
   * removed them before the writer thread got to them (counted once the
   * thread has done them).
   */
  get counts(): { readonly written: number; readonly superseded: number } {
    const thread = this.#thread?.counts;
    return {
      written: this.#written + (thread?.written ?? 0),
      superseded: this.#superseded + (thread?.superseded ?? 0),
    };
  }

  /** True while a writer thread takes the files. */
  get background(): boolean {
    return this.#thread !== undefined;
  }

  /**
   * Write one snapshot file, now or in the background.
   *
   * @throws When written in the caller's thread and the file system fails.
   */
  write(job: SnapshotJob): void {
    this.#closed = false;
    const thread = this.#thread;
    if (thread === undefined) {
      writeNow(job, this.durable);
      this.#written++;
      if (++this.#inline >= INLINE_WRITES) this.#start();
    } else if (!thread.post(job)) {
      thread.drain();
      writeNow(job, this.durable);
      this.#written++;
    }
  }

  /**
   * Wait until every file handed over is written, then stop the thread (a
   * later `write` starts again in the caller's thread).
   *
   * @throws The first failure of a background write.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting;
    const thread = this.#thread;
    this.#thread = undefined;
    this.#inline = 0;
    await thread?.stop();
    this.#written += thread?.counts.written ?? 0;
    this.#superseded += thread?.counts.superseded ?? 0;
    const error = thread?.error;
    if (error !== undefined) throw error;
  }

  #start(): void {
    if (this.#starting !== undefined || this.#threadless) return;
    this.#starting = import("node:worker_threads").then(({ Worker }) => {
      if (!this.#closed) this.#thread = new WriterThread(Worker, this.durable);
    }).catch(() => {
      // No threads here (a runtime without worker_threads, or not allowed to
      // start one): the files are written in the caller's thread, as before.
      this.#threadless = true;
    }).finally(() => {
      this.#starting = undefined;
    });
  }
}

/** One writer thread and the shared memory it reads its jobs from (a new one per thread). */
class WriterThread {
  readonly #shared = new SharedArrayBuffer(CONTROL_BYTES + ERROR_BYTES + RING_BYTES);
  readonly #control = new Int32Array(this.#shared, 0, CONTROL_BYTES / 4);
  readonly #ring = new Uint8Array(this.#shared, CONTROL_BYTES + ERROR_BYTES, RING_BYTES);
  readonly #lengths = new Int32Array(
    this.#shared,
    CONTROL_BYTES + ERROR_BYTES,
    RING_BYTES / 4,
  );
  readonly #worker: NodeWorker;
  #head = 0;
  #exited = false;

  constructor(Worker: typeof NodeWorker, durable: boolean) {
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sab: this.#shared, durable },
    });
    this.#worker.unref();
    this.#worker.once("exit", () => this.#exited = true);
    this.#worker.on("error", (error) => {
      // The thread itself died: a failure, so the next save reports it.
      this.#fail(`could not be written: the writer thread failed: ${error}`);
    });
  }

  /** Files the thread wrote, and files it did not write because a later job removes them. */
  get counts(): { readonly written: number; readonly superseded: number } {
    return {
      written: Atomics.load(this.#control, WRITTEN),
      superseded: Atomics.load(this.#control, SUPERSEDED),
    };
  }

  /** The first failure, if any. */
  get error(): Error | undefined {
    if (Atomics.load(this.#control, FAILED) === 0) return undefined;
    const length = Atomics.load(this.#control, ERROR_LENGTH);
    const bytes = new Uint8Array(this.#shared, CONTROL_BYTES, length).slice();
    return new Error(decoder.decode(bytes));
  }

  /** Hand a job over; false when it is too large for the ring (the caller writes it). */
  post(job: SnapshotJob): boolean {
    const payload = `${JSON.stringify([job.file, job.remove])}\n${job.text}`;
    // Room for the longest possible encoding (3 bytes per UTF-16 unit), so
    // that the text is encoded straight into the ring.
    const room = 4 + ((payload.length * 3 + 3) & ~3);
    if (room > MAX_JOB_BYTES) return false;
    let position = this.#head & (RING_BYTES - 1);
    const skip = RING_BYTES - position < room ? RING_BYTES - position : 0;
    this.#waitUntil(() =>
      RING_BYTES - ((this.#head - Atomics.load(this.#control, TAIL)) | 0) >= skip + room
    );
    if (skip > 0) {
      this.#lengths[position >> 2] = -1;
      position = 0;
    }
    const { written } = encoder.encodeInto(
      payload,
      this.#ring.subarray(position + 4, position + room),
    );
    this.#lengths[position >> 2] = written;
    this.#head = (this.#head + skip + 4 + ((written + 3) & ~3)) | 0;
    Atomics.store(this.#control, HEAD, this.#head);
    if (Atomics.load(this.#control, SLEEPING) === 2) Atomics.notify(this.#control, HEAD);
    return true;
  }

  /** Wait (blocking) until the thread has done every job. */
  drain(): void {
    this.#waitUntil(() => Atomics.load(this.#control, TAIL) === this.#head);
  }

  /** Wait for the pending jobs without blocking, then end the thread. */
  async stop(): Promise<void> {
    this.#worker.ref(); // the process must not exit before the files are written
    while (!this.#exited && Atomics.load(this.#control, TAIL) !== this.#head) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    Atomics.store(this.#control, STOP, 1);
    Atomics.notify(this.#control, HEAD);
    await this.#worker.terminate();
  }

  /** Block until `ready()`; fail when the thread makes no progress for `STALL_MS`. */
  #waitUntil(ready: () => boolean): void {
    let tail = Atomics.load(this.#control, TAIL);
    let since = performance.now();
    while (!ready()) {
      Atomics.wait(this.#control, TAIL, tail, 100);
      const now = Atomics.load(this.#control, TAIL);
      if (now !== tail) {
        tail = now;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        throw new Error(
          `could not be written: the writer thread made no progress for ${STALL_MS / 1000} s`,
        );
      }
    }
  }

  #fail(message: string): void {
    if (Atomics.load(this.#control, FAILED) === 1) return;
    recordFailure({
      control: this.#control,
      errorArea: new Uint8Array(this.#shared, CONTROL_BYTES, ERROR_BYTES),
      lengthCell: ERROR_LENGTH,
      flagCell: FAILED,
    }, message);
  }
}
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Write a snapshot file in this thread: the same steps as the writer thread. */
function writeNow(job: SnapshotJob, durable: boolean): void {
  writeSnapshotFile(job.file, encoder.encode(job.text), durable);
  for (const old of job.remove) removeSnapshotFile(old);
}

// The functions below run in both threads: the writer thread gets their
// source, so they use nothing but their arguments and the Deno, Atomics and
// TextEncoder globals (no module constants: a minifier would rename them),
// and no syntax that compiles to helpers (such as `using`).

/** Write `bytes` to `${file}.tmp`, then rename it to `file` (`fsync`ed first when durable). */
function writeSnapshotFile(file: string, bytes: Uint8Array, durable: boolean): void {
  const temp = file + ".tmp";
  if (durable) {
    const handle = Deno.openSync(temp, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += handle.writeSync(bytes.subarray(written));
      handle.syncSync();
    } finally {
      handle.close();
    }
  } else Deno.writeFileSync(temp, bytes);
  // A new name each time: on ext4, renaming over an existing file forces a flush (slow).
  Deno.renameSync(temp, file);
}

/** Remove an old snapshot file; one already gone is fine. */
function removeSnapshotFile(file: string): void {
  try {
    Deno.removeSync(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Where a failure is recorded in the shared memory. */
interface FailureCells {
  readonly control: Int32Array;
  readonly errorArea: Uint8Array;
  /** The control cell for the message's length, and the one raised to 1 last. */
  readonly lengthCell: number;
  readonly flagCell: number;
}

/** Put a failure's message in the shared error area, then raise the flag. */
function recordFailure(cells: FailureCells, message: string): void {
  const bytes = new TextEncoder().encode(message);
  const length = Math.min(bytes.length, cells.errorArea.length);
  cells.errorArea.set(bytes.subarray(0, length));
  Atomics.store(cells.control, cells.lengthCell, length);
  Atomics.store(cells.control, cells.flagCell, 1);
}
