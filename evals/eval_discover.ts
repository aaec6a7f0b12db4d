import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Evaluator } from "./eval_mark.ts";
import { evalMarks } from "./eval_mark.ts";
import type { NamedEvaluator } from "./eval_run.ts";

/**
 * A file discovery could not use, and why.
 *
 * @example Print the files that were left out
 * ```ts ignore
 * const { problems } = await evalDiscover("evals/");
 * for (const { file, message } of problems) console.error(`${file}: ${message}`);
 * ```
 */
export interface EvalDiscoveryProblem {
  /** The file. */
  readonly file: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * What `evalDiscover` found.
 *
 * @example Run what was found
 * ```ts ignore
 * const { evaluators, files } = await evalDiscover("evals/");
 * console.log(`${evaluators.length} evaluators in ${files.length} files`);
 * const results = await evalRun(evaluators, await EvalContext.fromTraceDir(".traces/hello"));
 * ```
 */
export interface EvalDiscovery {
  /** Evaluators, file by file (sorted by path), in export order within a file. */
  readonly evaluators: NamedEvaluator[];
  /** Files that failed to load or export no evaluators. */
  readonly problems: EvalDiscoveryProblem[];
  /** Files looked at. */
  readonly files: string[];
}

/**
 * Options of `evalDiscover`.
 *
 * @example Load check files and their check exports
 * ```ts ignore
 * const found = await evalDiscover("evals/", { pattern: /^check_.*\.ts$/, prefix: "check" });
 * ```
 */
export interface EvalDiscoverOptions {
  /** File names to load. @default /^eval_.*\.(ts|mts|js|mjs)$/ */
  readonly pattern?: RegExp;
  /** Export names that are evaluators start with this (or are tagged with `evalMark`). @default "eval" */
  readonly prefix?: string;
}

const DEFAULT_PATTERN = /^eval_.*\.(ts|mts|js|mjs)$/;

/** Names of this library's own functions, which eval files may re-export but are never evaluators. */
const LIBRARY_NAMES = new Set([
  "evalMark",
  "evalMarks",
  "evalRun",
  "evalSummary",
  "evalDiscover",
  "evalRunCommand",
  "evalCasesCommand",
  "evalCaseTests",
  "evalRunTraces",
]);

async function collectFiles(path: string, pattern: RegExp): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && pattern.test(entry.name)) files.push(full);
    }
  };
  await walk(path);
  return files.sort();
}

function isEvaluatorExport(name: string, value: unknown, prefix: string): value is Evaluator {
  if (typeof value !== "function" || LIBRARY_NAMES.has(name)) return false;
  if (/^[A-Z]/.test(name)) return false; // classes and constructors
  return name.startsWith(prefix) || evalMarks(value as Evaluator).size > 0;
}

/**
 * Find evaluators in a file or, recursively, in every `eval_*.ts` file of a
 * folder. Each file is imported; its exported functions whose names start
 * with `eval` (or that carry `evalMark` tags) are evaluators. A file that
 * fails to import, or exports no evaluators, is reported in `problems` and
 * the other files still load.
 *
 * @param path A file or a folder.
 * @param options File pattern and export-name prefix.
 * @returns Evaluators, problems and the files looked at.
 * @throws {Error} When `path` does not exist (the message names it).
 * @example Discover and run
 * ```ts ignore
 * const { evaluators, problems } = await evalDiscover("evals/");
 * for (const problem of problems) console.error(problem.message);
 * ```
 */
export async function evalDiscover(
  path: string,
  options: EvalDiscoverOptions = {},
): Promise<EvalDiscovery> {
  const { pattern = DEFAULT_PATTERN, prefix = "eval" } = options;
  let files: string[];
  try {
    files = await collectFiles(path, pattern);
  } catch (cause) {
    throw new Error(
      `Cannot discover evals: "${path}" does not exist; pass an eval file or a folder of eval_*.ts files`,
      { cause },
    );
  }
  const evaluators: NamedEvaluator[] = [];
  const problems: EvalDiscoveryProblem[] = [];
  for (const file of files) {
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(resolve(file)).href);
    } catch (error) {
      problems.push({
        file,
        message: `Cannot load eval file "${file}": ${
          error instanceof Error ? error.message.split("\n")[0] : String(error)
        }`,
      });
      continue;
    }
    const found = Object.entries(module)
      .filter(([name, value]) => name !== "default" && isEvaluatorExport(name, value, prefix))
      .map(([name, value]) => ({ name, evaluate: value as Evaluator, file }));
    if (typeof module.default === "function" && !LIBRARY_NAMES.has(module.default.name)) {
      found.push({
        name: basename(file).replace(/\.[^.]+$/, ""),
        evaluate: module.default as Evaluator,
        file,
      });
    }
    if (found.length === 0) {
      problems.push({
        file,
        message: `Eval file "${file}" exports no evaluators: export functions whose names start ` +
          `with "${prefix}", for example export function ${prefix}Completed(ctx) { return ctx.completed; }`,
      });
      continue;
    }
    evaluators.push(...found);
  }
  return { evaluators, problems, files };
}
