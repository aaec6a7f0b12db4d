/**
 * One problem found in a bundle: the file, the field when there is one, and what to do.
 *
 * @example A problem as `loadBundle` reports it
 * ```ts
 * import { type BundleProblem, formatBundleProblem } from "jsr:@looplet/looplet/bundles";
 * const problem: BundleProblem = {
 *   path: "skills/greeter/tools/greet/tool.json",
 *   field: "description",
 *   message: "is empty; describe what the tool does, for the model",
 * };
 * console.log(formatBundleProblem(problem));
 * ```
 */
export interface BundleProblem {
  /** The file (or folder) concerned. */
  readonly path: string;
  /** The field concerned, e.g. `description`, `tools[1].name`, `input_schema.properties`. */
  readonly field?: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * Format a problem as one line: `path:line: field: message`.
 *
 * @param problem The problem.
 * @returns The line.
 * @example
 * ```ts ignore
 * formatBundleProblem({ path: "b/SKILL.md", field: "entrypoint", message: "is outside the folder" });
 * // "b/SKILL.md: entrypoint: is outside the folder"
 * ```
 */
export function formatBundleProblem(problem: BundleProblem): string {
  const where = problem.line !== undefined ? `${problem.path}:${problem.line}` : problem.path;
  const message = problem.field !== undefined && !problem.message.includes(`'${problem.field}'`)
    ? `${problem.field}: ${problem.message}`
    : problem.message;
  return `${where}: ${message}`;
}

/**
 * A bundle is not valid, or an operation on it cannot proceed. `problems`
 * lists every problem found, each with file and field.
 *
 * @example
 * ```ts ignore
 * try { await loadBundle("skills/broken"); }
 * catch (error) { if (error instanceof BundleError) for (const p of error.problems) console.error(p.message); }
 * ```
 */
export class BundleError extends Error {
  /** Every problem found (at least one). */
  readonly problems: readonly BundleProblem[];

  /**
   * Create the error.
   *
   * @param problems The problems.
   * @param options Optional cause.
   */
  constructor(problems: readonly BundleProblem[], options: { cause?: unknown } = {}) {
    super(problems.map(formatBundleProblem).join("\n"), options);
    this.name = "BundleError";
    this.problems = problems;
  }
}
