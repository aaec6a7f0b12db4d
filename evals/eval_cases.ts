import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../internal/atomic_write.ts";

/**
 * One eval case: a task plus what is expected of the run.
 *
 * @example A case
 * ```ts
 * import type { EvalCase } from "jsr:@looplet/looplet/evals";
 * const greet: EvalCase = {
 *   id: "greet-two",
 *   task: { description: "Greet Alice and Bob" },
 *   expected: { greeted: ["Alice", "Bob"] },
 *   marks: ["smoke"],
 * };
 * ```
 */
export interface EvalCase {
  /** Unique id (file name when saved to a folder). */
  readonly id: string;
  /** The task to run. @default {} */
  readonly task?: Readonly<Record<string, unknown>>;
  /** What the run should produce. @default {} */
  readonly expected?: Readonly<Record<string, unknown>>;
  /** Tags. @default [] */
  readonly marks?: readonly string[];
  /** Free text. @default "" */
  readonly notes?: string;
}

/**
 * A case file that cannot be read or written; the message names the file.
 *
 * @example Report a malformed case file
 * ```ts ignore
 * try {
 *   await loadCases("evals/cases");
 * } catch (error) {
 *   if (error instanceof EvalCaseError) console.error(`${error.file}: ${error.message}`);
 * }
 * ```
 */
export class EvalCaseError extends Error {
  /** The file at fault. */
  readonly file: string;

  /**
   * Create the error.
   *
   * @param file The file.
   * @param problem What is wrong.
   * @param cause The underlying error.
   */
  constructor(file: string, problem: string, cause?: unknown) {
    super(`Cannot read eval cases "${file}": ${problem}`, { cause });
    this.name = "EvalCaseError";
    this.file = file;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toCase(value: unknown, where: string, file: string): EvalCase {
  if (!isObject(value)) throw new EvalCaseError(file, `${where} is not a JSON object`);
  if (typeof value.id !== "string" || value.id.trim() === "") {
    throw new EvalCaseError(file, `${where} has no 'id' (a non-empty string)`);
  }
  for (const key of ["task", "expected"] as const) {
    if (value[key] !== undefined && !isObject(value[key])) {
      throw new EvalCaseError(file, `${where} ('${value.id}'): '${key}' must be an object`);
    }
  }
  if (
    value.marks !== undefined &&
    (!Array.isArray(value.marks) || value.marks.some((mark) => typeof mark !== "string"))
  ) {
    throw new EvalCaseError(file, `${where} ('${value.id}'): 'marks' must be a list of strings`);
  }
  return {
    id: value.id,
    task: (value.task as Record<string, unknown>) ?? {},
    expected: (value.expected as Record<string, unknown>) ?? {},
    marks: (value.marks as string[]) ?? [],
    notes: typeof value.notes === "string" ? value.notes : "",
  };
}

/** The on-disk form: empty optional fields left out, keys sorted. */
function caseJson(item: EvalCase): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  if (item.expected !== undefined && Object.keys(item.expected).length > 0) {
    json.expected = item.expected;
  }
  json.id = item.id;
  if (item.marks !== undefined && item.marks.length > 0) json.marks = item.marks;
  if (item.notes !== undefined && item.notes !== "") json.notes = item.notes;
  if (item.task !== undefined && Object.keys(item.task).length > 0) json.task = item.task;
  return json;
}

async function readCaseFile(file: string): Promise<EvalCase[]> {
  const text = await readFile(file, "utf8");
  if (file.endsWith(".jsonl")) {
    const cases: EvalCase[] = [];
    text.split("\n").forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) return;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (cause) {
        throw new EvalCaseError(file, `line ${i + 1} is not valid JSON`, cause);
      }
      cases.push(toCase(value, `line ${i + 1}`, file));
    });
    return cases;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new EvalCaseError(file, `it is not valid JSON (${(cause as Error).message})`, cause);
  }
  if (Array.isArray(value)) return value.map((item, i) => toCase(item, `case ${i}`, file));
  return [toCase(value, "the case", file)];
}

/**
 * Read eval cases from a `.json` file (one case or a list), a `.jsonl` file
 * (one case per line; blank lines and `#` comments skipped), or a folder of
 * such files (not recursive, in file-name order).
 *
 * @param path A file or folder.
 * @returns The cases.
 * @throws {EvalCaseError} When the path is missing, a file is malformed, or two cases share an id.
 * @example
 * ```ts ignore
 * const cases = await loadCases("evals/cases");
 * ```
 */
export async function loadCases(path: string): Promise<EvalCase[]> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new EvalCaseError(path, "the path does not exist", cause);
  }
  const files: string[] = [];
  if (info.isDirectory()) {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      if (entry.isFile() && /\.jsonl?$/.test(entry.name)) files.push(join(path, entry.name));
    }
    files.sort();
  } else files.push(path);
  const cases: EvalCase[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const item of await readCaseFile(file)) {
      const first = seen.get(item.id);
      if (first !== undefined) {
        throw new EvalCaseError(file, `case id "${item.id}" is used twice (first in "${first}")`);
      }
      seen.set(item.id, file);
      cases.push(item);
    }
  }
  return cases;
}

/**
 * Save cases: to a `.json` file (a list), a `.jsonl` file (one per line), or
 * otherwise to a folder (created when missing) as `<id>.json` each. Writes
 * are atomic; keys are sorted and empty optional fields left out.
 *
 * @param cases The cases.
 * @param path A `.json`/`.jsonl` file or a folder.
 * @returns The files written.
 * @throws {EvalCaseError} When a case has no id, ids repeat, or an id cannot be a file name.
 * @example
 * ```ts ignore
 * await saveCases([{ id: "greet", task: { description: "Greet Bob" } }], "evals/cases");
 * ```
 */
export async function saveCases(cases: readonly EvalCase[], path: string): Promise<string[]> {
  const seen = new Set<string>();
  const checked = cases.map((item, i) => {
    const valid = toCase(item, `case ${i}`, path);
    if (seen.has(valid.id)) throw new EvalCaseError(path, `case id "${valid.id}" is used twice`);
    seen.add(valid.id);
    return valid;
  });
  if (path.endsWith(".jsonl")) {
    await atomicWrite(
      path,
      checked.map((item) => JSON.stringify(caseJson(item))).join("\n") + "\n",
    );
    return [path];
  }
  if (path.endsWith(".json")) {
    await atomicWrite(path, JSON.stringify(checked.map(caseJson), null, 2) + "\n");
    return [path];
  }
  await mkdir(path, { recursive: true });
  const written: string[] = [];
  for (const item of checked) {
    if (!/^[\w.-]+$/.test(item.id) || item.id.startsWith(".")) {
      throw new EvalCaseError(
        path,
        `case id "${item.id}" cannot be a file name; use letters, digits, '.', '_' and '-'`,
      );
    }
    const file = join(path, `${item.id}.json`);
    await atomicWrite(file, JSON.stringify(caseJson(item), null, 2) + "\n");
    written.push(file);
  }
  return written;
}

/**
 * One test as `evalCaseTests` registers it: the shape `Deno.test` takes (and,
 * with `ignore` read as `skip`, `node:test`'s `test`).
 *
 * @example Register the cases with node:test
 * ```ts ignore
 * import { test } from "node:test";
 * evalCaseTests(cases, runCase, {
 *   test: ({ name, ignore, fn }: EvalCaseTestDefinition) => test(name, { skip: ignore }, fn),
 * });
 * ```
 */
export interface EvalCaseTestDefinition {
  /** The test name: the prefix and the case id. */
  readonly name: string;
  /** Whether the case carries an excluded mark. */
  readonly ignore: boolean;
  /** Runs the case; throws when it fails. */
  readonly fn: () => void | Promise<void>;
}

/**
 * Options of `evalCaseTests`.
 *
 * @example Register only smoke cases, skipping slow ones
 * ```ts ignore
 * evalCaseTests(await loadCases("evals/cases"), runCase, {
 *   prefix: "agent: ",
 *   include: ["smoke"],
 *   exclude: ["slow"],
 * });
 * ```
 */
export interface EvalCaseTestsOptions {
  /** Test name prefix. @default "eval case " */
  readonly prefix?: string;
  /** Register only cases with one of these marks. @default all */
  readonly include?: readonly string[];
  /** Mark these cases `ignore`. @default none */
  readonly exclude?: readonly string[];
  /** The test registrar; required outside Deno. @default Deno.test */
  readonly test?: (definition: EvalCaseTestDefinition) => void;
}

/**
 * Turn cases into `Deno.test` cases: one test per case, named after its id,
 * that runs `run(case)`.
 *
 * @param cases The cases (for example from `await loadCases(dir)`).
 * @param run Runs one case and throws (for example with `assert`) when it fails.
 * @param options Name prefix, mark filters, test registrar.
 * @returns The number of tests registered.
 * @throws {TypeError} Outside Deno when no `test` registrar is passed.
 * @example One test per case file
 * ```ts ignore
 * evalCaseTests(await loadCases("evals/cases"), async (item) => {
 *   const outcome = await composableLoop({ llm, tools, task: item.task! }).complete();
 *   assert.equal(outcome.stopReason, "done");
 * });
 * ```
 */
export function evalCaseTests(
  cases: readonly EvalCase[],
  run: (item: EvalCase) => void | Promise<void>,
  options: EvalCaseTestsOptions = {},
): number {
  const { prefix = "eval case ", include, exclude = [] } = options;
  const test = options.test ?? denoTest();
  let count = 0;
  for (const item of cases) {
    const marks = item.marks ?? [];
    if (include !== undefined && include.length > 0 && !marks.some((m) => include.includes(m))) {
      continue;
    }
    test({
      name: `${prefix}${item.id}`,
      ignore: marks.some((mark) => exclude.includes(mark)),
      fn: () => run(item),
    });
    count++;
  }
  return count;
}

function denoTest(): (definition: EvalCaseTestDefinition) => void {
  const deno = (globalThis as { Deno?: { test?: (definition: EvalCaseTestDefinition) => void } })
    .Deno;
  if (typeof deno?.test !== "function") {
    throw new TypeError(
      "Cannot register eval cases: outside Deno pass 'test', e.g. node:test's test as the example shows",
    );
  }
  return deno.test;
}
