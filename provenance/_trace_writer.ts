/**
 * Writes a trace directory: step files, call files and manifest lines in the
 * background, and `trajectory.json` assembled from what is on disk, so the
 * sink keeps nothing it has written (private to provenance/).
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { appendLine, atomicWrite, WriteQueue } from "../internal/atomic_write.ts";
import type { CallFiles } from "./_call_record.ts";
import { promptFileName, responseFileName, stepFileName } from "./_trace_files.ts";

/** Queued writes after which the sink waits for the disk (bounded memory). */
const BACKLOG = 256;

/** The background writer of one trace directory. */
export class TraceWriter {
  readonly dir: string;
  readonly #queue = new WriteQueue();
  /** Numbers of the steps written (or queued), for `trajectory.json`. */
  readonly #steps: number[] = [];
  #queued = 0;
  /** Manifest lines written, and whether they are in call order so far. */
  #calls = 0;
  #lastIndex = -1;
  #inOrder = true;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Create the directory; clear another run's trace, or refuse to. */
  async prepare(runId: string, overwrite: boolean): Promise<void> {
    await mkdir(join(this.dir, "steps"), { recursive: true }).catch((error) => {
      throw new Error(
        `Cannot write trace to "${this.dir}": ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    });
    const existing = await this.#existingRunId();
    if (existing === undefined || existing === runId) return;
    if (!overwrite) {
      throw new Error(
        `Cannot write trace to "${this.dir}": it already holds the trace of run "${existing}"; ` +
          "pick a new directory or pass { overwrite: true }",
      );
    }
    await this.#clear();
  }

  async #existingRunId(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.dir, "trajectory.json"), "utf8");
    } catch {
      try {
        await stat(join(this.dir, "manifest.jsonl"));
        return "(unknown: manifest.jsonl only)";
      } catch {
        return undefined;
      }
    }
    try {
      const json = JSON.parse(text) as { run_id?: unknown };
      return typeof json.run_id === "string" ? json.run_id : "(unknown)";
    } catch {
      return "(unreadable trajectory.json)";
    }
  }

  async #clear(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (
        name === "trajectory.json" || name === "manifest.jsonl" ||
        /^call_\d+_(prompt|response)\.txt$/.test(name)
      ) {
        await unlink(join(this.dir, name));
      }
    }
    for (const name of await readdir(join(this.dir, "steps"))) {
      if (/^step_\d+\.json$/.test(name)) await unlink(join(this.dir, "steps", name));
    }
  }

  /** Queue `trajectory.json` as it stands while the run goes on. */
  trajectory(trajectory: Record<string, unknown>): void {
    const text = JSON.stringify(trajectory, null, 2) + "\n";
    this.#queue.pushOrdered(() => atomicWrite(join(this.dir, "trajectory.json"), text));
  }

  /** Queue `steps/step_NN.json`. */
  step(number: number, record: Record<string, unknown>): void {
    const text = JSON.stringify(record, null, 2) + "\n";
    this.#steps.push(number);
    this.#push(() => atomicWrite(join(this.dir, "steps", stepFileName(number)), text));
  }

  /** Queue a call's prompt and response files, and its manifest line after the lines before it. */
  call(index: number, files: CallFiles, record: Record<string, unknown>): void {
    this.#push(async () => {
      await atomicWrite(join(this.dir, promptFileName(index)), files.prompt);
      await atomicWrite(join(this.dir, responseFileName(index)), files.response);
    });
    const line = JSON.stringify(record) + "\n";
    this.#calls++;
    if (index < this.#lastIndex) this.#inOrder = false;
    this.#lastIndex = Math.max(this.#lastIndex, index);
    this.#queued++;
    this.#queue.pushOrdered(() =>
      appendLine(join(this.dir, "manifest.jsonl"), line).finally(() => this.#queued--)
    );
  }

  #push(write: () => Promise<void>): void {
    this.#queued++;
    this.#queue.push(() => write().finally(() => this.#queued--));
  }

  /** When many writes wait, a promise that resolves once they are done; otherwise undefined. */
  backpressure(): Promise<void> | undefined {
    return this.#queued > BACKLOG ? this.#queue.drain() : undefined;
  }

  /**
   * Wait for every write, put the manifest in call order and write
   * `trajectory.json`: `head` with its `steps` and `llm_calls` read back one
   * by one from the step files and the manifest.
   */
  async finish(
    head: (counts: { steps: number; calls: number }) => Record<string, unknown>,
  ): Promise<void> {
    await this.#queue.drain();
    const manifest = join(this.dir, "manifest.jsonl");
    if (!this.#inOrder) await this.#sortManifest(manifest);
    if (this.#calls === 0) await atomicWrite(manifest, "");
    const steps = [...new Set(this.#steps)].sort((a, b) => a - b);
    const marker = "\u0001looplet-records\u0001";
    const text = JSON.stringify(
      { ...head({ steps: steps.length, calls: this.#calls }), steps: marker, llm_calls: marker },
      null,
      2,
    );
    const quoted = JSON.stringify(marker);
    const stepsAt = text.indexOf(`\n  "steps": ${quoted}`);
    const callsEnd = text.indexOf(`\n  "llm_calls": ${quoted}`) +
      `\n  "llm_calls": ${quoted}`.length;
    const target = join(this.dir, "trajectory.json");
    const temp = `${target}.${process.pid}.tmp`;
    const file = await open(temp, "w");
    const encoder = new TextEncoder();
    const write = async (chunk: string) => {
      const bytes = encoder.encode(chunk);
      for (let done = 0; done < bytes.length;) done += (await file.write(bytes, done)).bytesWritten;
    };
    try {
      await write(text.slice(0, stepsAt) + '\n  "steps": ');
      await this.#array(
        readSteps(this.dir, steps),
        (record) => record,
        write,
      );
      await write(',\n  "llm_calls": ');
      await this.#array(
        readLines(manifest),
        (line) => JSON.stringify(JSON.parse(line), null, 2),
        write,
      );
      await write(text.slice(callsEnd) + "\n");
      await file.close();
      await rename(temp, target);
    } catch (error) {
      await file.close().catch(() => {}); // it may be closed already
      await rm(temp, { force: true }).catch(() => {});
      throw new Error(
        `Cannot write trace file "${target}": ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  }

  /** Rewrite the manifest in call order (calls made by tools can finish out of order). */
  async #sortManifest(manifest: string): Promise<void> {
    const lines = (await readFile(manifest, "utf8")).split("\n").filter((line) => line !== "");
    const calls = lines.map((line) => ({
      line,
      index: (JSON.parse(line) as { index: number }).index,
    }))
      .sort((a, b) => a.index - b.index);
    await atomicWrite(manifest, calls.map((call) => call.line + "\n").join(""));
    this.#inOrder = true;
  }

  /** Write `items` as a JSON array nested one level deep (as `JSON.stringify(…, null, 2)` does). */
  async #array<T>(
    items: AsyncIterable<T>,
    json: (item: T) => string,
    write: (chunk: string) => Promise<void>,
  ): Promise<void> {
    let first = true;
    for await (const item of items) {
      await write(`${first ? "[\n" : ",\n"}    ${json(item).replaceAll("\n", "\n    ")}`);
      first = false;
    }
    await write(first ? "[]" : "\n  ]");
  }
}

/** The step files' JSON texts, in step order. */
async function* readSteps(dir: string, steps: readonly number[]): AsyncGenerator<string> {
  for (const number of steps) {
    yield (await readFile(join(dir, "steps", stepFileName(number)), "utf8")).trimEnd();
  }
}

/** The non-empty lines of a text file, read a chunk at a time. */
async function* readLines(path: string): AsyncGenerator<string> {
  let rest = "";
  // Breaking out of the loop (or an error) destroys the stream, which closes the file.
  for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line !== "") yield line;
  }
  if (rest !== "") yield rest;
}
