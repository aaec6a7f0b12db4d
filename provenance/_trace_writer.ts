/**
 * Writes a trace directory: step files, call files and manifest lines in the
 * background, and `trajectory.json` assembled from what is on disk, so the
 * sink keeps nothing it has written (private to provenance/).
 */
import { join } from "node:path";
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
    await Deno.mkdir(join(this.dir, "steps"), { recursive: true }).catch((error) => {
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
      text = await Deno.readTextFile(join(this.dir, "trajectory.json"));
    } catch {
      try {
        await Deno.stat(join(this.dir, "manifest.jsonl"));
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
    for await (const entry of Deno.readDir(this.dir)) {
      if (
        entry.name === "trajectory.json" || entry.name === "manifest.jsonl" ||
        /^call_\d+_(prompt|response)\.txt$/.test(entry.name)
      ) {
        await Deno.remove(join(this.dir, entry.name));
      }
    }
    for await (const entry of Deno.readDir(join(this.dir, "steps"))) {
      if (/^step_\d+\.json$/.test(entry.name)) {
        await Deno.remove(join(this.dir, "steps", entry.name));
      }
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
    const temp = `${target}.${Deno.pid}.tmp`;
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    const encoder = new TextEncoder();
    const write = async (chunk: string) => {
      const bytes = encoder.encode(chunk);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
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
      file.close();
      await Deno.rename(temp, target);
    } catch (error) {
      try {
        file.close();
      } catch { /* already closed */ }
      await Deno.remove(temp).catch(() => {});
      throw new Error(
        `Cannot write trace file "${target}": ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
  }

  /** Rewrite the manifest in call order (calls made by tools can finish out of order). */
  async #sortManifest(manifest: string): Promise<void> {
    const lines = (await Deno.readTextFile(manifest)).split("\n").filter((line) => line !== "");
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
    yield (await Deno.readTextFile(join(dir, "steps", stepFileName(number)))).trimEnd();
  }
}

/** The non-empty lines of a text file, read a chunk at a time. */
async function* readLines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  let rest = "";
  try {
    for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line !== "") yield line;
    }
    if (rest !== "") yield rest;
  } finally {
    try {
      file.close();
    } catch { /* the stream closed it */ }
  }
}
