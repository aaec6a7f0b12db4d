/**
 * Writes a trace directory: each step file, and each call's prompt and
 * response files and then its manifest line, as they happen (or, when not
 * live, all at `finish`), and `trajectory.json` assembled from what is on
 * disk, so the sink keeps nothing it has written (private to provenance/).
 *
 * The writes are synchronous: a step costs a few small file writes and no
 * queue, and nothing waits in memory. Step files and `trajectory.json` go
 * through a temporary sibling and a rename (readers list `steps/`); call
 * files are written in place, before the manifest line that lists them, so a
 * reader that follows the manifest never sees half a file.
 */
import { closeSync, createReadStream, openSync, writeFileSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { atomicWrite, writeFileAtomicSync } from "../internal/atomic_write.ts";
import type { CallFiles } from "./_call_record.ts";
import { promptFileName, responseFileName, stepFileName } from "./_trace_files.ts";

/** The writer of one trace directory. */
export class TraceWriter {
  readonly dir: string;
  readonly #live: boolean;
  /** Numbers of the steps written, for `trajectory.json`. */
  readonly #steps: number[] = [];
  /** Records kept until `finish` when not live. */
  readonly #pendingSteps: { number: number; record: Record<string, unknown> }[] = [];
  readonly #pendingCalls: { index: number; files: CallFiles; record: Record<string, unknown> }[] =
    [];
  /** Manifest lines written, and whether they are in call order so far. */
  #calls = 0;
  #lastIndex = -1;
  #inOrder = true;
  /** The open manifest, appended to line by line. */
  #manifest: number | undefined;
  /** The first write that failed; nothing is written after it. */
  #failure: Error | undefined;

  /**
   * @param dir The trace directory.
   * @param live Write each record as it comes; otherwise keep them until `finish`.
   */
  constructor(dir: string, live: boolean) {
    this.dir = dir;
    this.#live = live;
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

  /** Write `trajectory.json` as it stands while the run goes on. */
  trajectory(trajectory: Record<string, unknown>): void {
    const path = join(this.dir, "trajectory.json");
    this.#write(path, () => writeFileAtomicSync(path, JSON.stringify(trajectory, null, 2) + "\n"));
  }

  /** Write `steps/step_NN.json` (when live; otherwise at `finish`). */
  step(number: number, record: Record<string, unknown>): void {
    if (this.#live) this.#writeStep(number, record);
    else this.#pendingSteps.push({ number, record });
  }

  #writeStep(number: number, record: Record<string, unknown>): void {
    this.#steps.push(number);
    const path = join(this.dir, "steps", stepFileName(number));
    this.#write(path, () => writeFileAtomicSync(path, JSON.stringify(record, null, 2) + "\n"));
  }

  /** Write a call's prompt and response files, then its manifest line (when live; otherwise at `finish`). */
  call(index: number, files: CallFiles, record: Record<string, unknown>): void {
    if (this.#live) this.#writeCall(index, files, record);
    else this.#pendingCalls.push({ index, files, record });
  }

  #writeCall(index: number, files: CallFiles, record: Record<string, unknown>): void {
    const prompt = join(this.dir, promptFileName(index));
    this.#write(prompt, () => writeFileSync(prompt, files.prompt));
    const response = join(this.dir, responseFileName(index));
    this.#write(response, () => writeFileSync(response, files.response));
    const manifest = join(this.dir, "manifest.jsonl");
    this.#write(manifest, () => {
      this.#manifest ??= openSync(manifest, "a");
      writeSync(this.#manifest, JSON.stringify(record) + "\n");
    });
    this.#calls++;
    if (index < this.#lastIndex) this.#inOrder = false;
    this.#lastIndex = Math.max(this.#lastIndex, index);
  }

  /** Run one write unless an earlier one failed; keep the first failure, naming its file. */
  #write(path: string, write: () => void): void {
    if (this.#failure !== undefined) return;
    try {
      write();
    } catch (error) {
      this.#failure = new Error(
        `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  }

  /** Throw the first write that failed, if one did. */
  check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Close the manifest (a later line opens it again). */
  close(): void {
    if (this.#manifest !== undefined) closeSync(this.#manifest);
    this.#manifest = undefined;
  }

  /**
   * Write what waits (when not live), put the manifest in call order and write
   * `trajectory.json`: `head` with its `steps` and `llm_calls` read back one
   * by one from the step files and the manifest.
   */
  async finish(
    head: (counts: { steps: number; calls: number }) => Record<string, unknown>,
  ): Promise<void> {
    for (const { number, record } of this.#pendingSteps.splice(0)) this.#writeStep(number, record);
    for (const { index, files, record } of this.#pendingCalls.splice(0)) {
      this.#writeCall(index, files, record);
    }
    this.close();
    this.check();
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
