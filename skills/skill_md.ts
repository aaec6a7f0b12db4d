import { type Document, isScalar, parseDocument, visit } from "yaml";

/**
 * One problem found in a SKILL.md file, with where it is and how to fix it.
 *
 * @example Print every problem of a file
 * ```ts
 * import { formatSkillProblem, readSkillMd } from "jsr:@looplet/looplet/skills";
 * const { problems } = readSkillMd("---\nname: Bad Name\n---\n", "bad/SKILL.md");
 * for (const problem of problems) console.error(formatSkillProblem(problem), problem.field);
 * ```
 */
export interface SkillProblem {
  /** The file. */
  readonly path: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** The front-matter field concerned, when there is one. */
  readonly field?: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

/**
 * A parsed SKILL.md: front matter plus instructions.
 *
 * @example Read the front matter and instructions
 * ```ts
 * import { parseSkillMd } from "jsr:@looplet/looplet/skills";
 * const text = "---\nname: hi\ndescription: Say hi\nallowed-tools: greet\n---\nSay hi.";
 * const { name, description, allowedTools, body, bodyLine } = parseSkillMd(text, "hi/SKILL.md");
 * // "hi", "Say hi", ["greet"], "Say hi.", 6
 * ```
 */
export interface SkillDocument {
  /** The file it came from. */
  readonly path: string;
  /** `name` from the front matter. */
  readonly name: string;
  /** `description` from the front matter (multi-line scalars folded). */
  readonly description: string;
  /** `license`, when given. */
  readonly license?: string;
  /** `allowed-tools`, from a space- or comma-separated string or a list. */
  readonly allowedTools?: readonly string[];
  /** `metadata`, when given. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The whole front matter as parsed, including fields not listed above. */
  readonly frontMatter: Readonly<Record<string, unknown>>;
  /** The Markdown after the front matter: the instructions. */
  readonly body: string;
  /** 1-based line where the body starts. */
  readonly bodyLine: number;
  /** Non-fatal findings, for example a name that does not follow the naming rule. */
  readonly warnings: readonly string[];
}

/**
 * What `readSkillMd` returns: the document when it is valid, and every problem found.
 *
 * @example Validate without throwing
 * ```ts
 * import { readSkillMd } from "jsr:@looplet/looplet/skills";
 * const result = readSkillMd("---\nname: hi\ndescription: Say hi\n---\nSay hi.", "hi/SKILL.md");
 * if (result.skill === undefined) console.error(result.problems);
 * else console.log(result.skill.name);
 * ```
 */
export interface SkillReadResult {
  /** The document, when there were no problems. */
  readonly skill?: SkillDocument;
  /** Every problem found (empty when valid). */
  readonly problems: readonly SkillProblem[];
}

/**
 * A SKILL.md file is not valid. `problems` lists every problem found, each
 * with path, line and field.
 *
 * @example
 * ```ts ignore
 * try {
 *   parseSkillMd("no front matter", "skills/x/SKILL.md");
 * } catch (error) {
 *   if (error instanceof SkillMdError) console.error(error.problems);
 * }
 * ```
 */
export class SkillMdError extends Error {
  /** Every problem found. */
  readonly problems: readonly SkillProblem[];

  /**
   * Make the error from the problems found.
   *
   * @param problems The problems, at least one.
   */
  constructor(problems: readonly SkillProblem[]) {
    super(problems.map(formatSkillProblem).join("\n"));
    this.name = "SkillMdError";
    this.problems = problems;
  }
}

/**
 * Format a problem as `path:line: message` (the line when known).
 *
 * @param problem The problem.
 * @returns One line.
 * @example
 * ```ts
 * import { formatSkillProblem } from "jsr:@looplet/looplet/skills";
 * formatSkillProblem({ path: "a/SKILL.md", line: 2, message: "x" }); // "a/SKILL.md:2: x"
 * ```
 */
export function formatSkillProblem(problem: SkillProblem): string {
  return `${problem.path}${
    problem.line !== undefined ? `:${problem.line}` : ""
  }: ${problem.message}`;
}

/**
 * Options of {@linkcode readSkillMd} and {@linkcode parseSkillMd}.
 *
 * @example Read a file with a large generated front matter
 * ```ts
 * import { readSkillMd } from "jsr:@looplet/looplet/skills";
 * const text = "---\nname: hi\ndescription: Say hi\n---\nSay hi.";
 * const { skill } = readSkillMd(text, "hi/SKILL.md", { maxFrontMatterChars: 4_000_000 });
 * ```
 */
export interface ReadSkillMdOptions {
  /**
   * Most characters the front matter (between the `---` lines) may hold; a
   * longer one is a problem, reported without parsing it: YAML's document
   * tree of a 64 MB front matter does not fit in memory.
   * @default 1000000
   */
  readonly maxFrontMatterChars?: number;
}

const NAME_RULE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Instructions longer than this get a warning: they all go into the system prompt. */
const LONG_BODY = 200_000;
/** Instructions longer than this are refused. */
const MAX_BODY = 10_000_000;
/** YAML aliases allowed while reading front matter (guards against alias bombs). */
const MAX_ALIASES = 100;

/**
 * How long the front matter is: the text between a first `---` line and the
 * next one. Found line by line without splitting the file, so a huge one is
 * refused before any copy of it is made.
 */
function frontMatterSpan(text: string): { length: number } | "missing" | "unclosed" {
  let start = -1;
  for (let lineStart = 0;;) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    if (isFence(text, lineStart, lineEnd)) {
      if (start >= 0) return { length: Math.max(0, lineStart - 1 - start) };
      start = lineEnd + 1;
    } else if (start < 0) return "missing";
    if (newline < 0) return "unclosed";
    lineStart = newline + 1;
  }
}

const SPACE = /\s/;

/** Whether `text[from, to)` is `---` once trimmed (as `line.trim() === "---"`). */
function isFence(text: string, from: number, to: number): boolean {
  while (from < to && SPACE.test(text[from]!)) from++;
  while (to > from && SPACE.test(text[to - 1]!)) to--;
  return to - from === 3 && text.startsWith("---", from);
}

/** The first key repeated in any mapping of the document, with its line; one pass. */
function repeatedKey(document: Document, lineOf: (offset: number) => number) {
  let found: { key: string; line: number } | undefined;
  visit(document, {
    Map(_, map) {
      const keys = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (keys.has(key)) {
          const offset = isScalar(pair.key) ? pair.key.range?.[0] ?? 0 : 0;
          found = { key: String(key), line: lineOf(offset) };
          return visit.BREAK;
        }
        keys.add(key);
      }
    },
  });
  return found;
}

/** Parse front matter into a value, or the problems; never throws. */
function readYaml(
  yamlText: string,
  path: string,
): { data: unknown; problems: SkillProblem[] } {
  const lineOf = (offset: number) => {
    let line = 2;
    for (let i = yamlText.indexOf("\n"); i >= 0 && i < offset; i = yamlText.indexOf("\n", i + 1)) {
      line++;
    }
    return line;
  };
  try {
    // uniqueKeys is checked below in one pass: the parser's own check is quadratic.
    const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: false });
    const problems: SkillProblem[] = document.errors.map((error) => ({
      path,
      line: (error.linePos?.[0]?.line ?? 0) + 1,
      message: `front matter is not valid YAML: ${
        (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")
      }`,
    }));
    if (problems.length > 0) return { data: undefined, problems };
    const repeated = repeatedKey(document, lineOf);
    if (repeated !== undefined) {
      return {
        data: undefined,
        problems: [{
          path,
          line: repeated.line,
          message: `front matter is not valid YAML: key "${repeated.key}" is given twice; keep one`,
        }],
      };
    }
    return { data: document.toJS({ maxAliasCount: MAX_ALIASES }) ?? {}, problems: [] };
  } catch (error) {
    // Unresolved aliases, alias bombs and other failures while building the value.
    return {
      data: undefined,
      problems: [{
        path,
        line: 2,
        message: `front matter cannot be read: ${
          String((error as Error)?.message ?? error).split("\n")[0]
        }; write plain 'key: value' lines without YAML aliases`,
      }],
    };
  }
}

/**
 * Read a SKILL.md text and report every problem found (never throws).
 *
 * @param text The file's content.
 * @param path The file's path, for messages.
 * @param options The front-matter size limit.
 * @returns The document when valid, and the problems.
 * @throws {RangeError} When `maxFrontMatterChars` is not a positive integer (the text never makes it throw).
 * @example
 * ```ts
 * import { readSkillMd } from "jsr:@looplet/looplet/skills";
 * const { skill, problems } = readSkillMd("---\nname: hi\ndescription: Say hi\n---\nSay hi.", "hi/SKILL.md");
 * ```
 */
export function readSkillMd(
  text: string,
  path: string,
  options: ReadSkillMdOptions = {},
): SkillReadResult {
  const { maxFrontMatterChars = 1_000_000 } = options;
  if (!Number.isSafeInteger(maxFrontMatterChars) || maxFrontMatterChars < 1) {
    throw new RangeError(
      `Cannot read SKILL.md: 'maxFrontMatterChars' must be a positive integer, got ${maxFrontMatterChars}`,
    );
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const span = frontMatterSpan(source);
  if (span === "missing") {
    return {
      problems: [{
        path,
        line: 1,
        message: "has no front matter; start the file with a '---' line, then 'name:' and " +
          "'description:' lines, then a closing '---' line",
      }],
    };
  }
  if (span === "unclosed") {
    return {
      problems: [{
        path,
        line: 1,
        message: "front matter is not closed; add a '---' line after the last front-matter field",
      }],
    };
  }
  if (span.length > maxFrontMatterChars) {
    return {
      problems: [{
        path,
        line: 2,
        message: `front matter is ${span.length} characters long, more than ` +
          `'maxFrontMatterChars' (${maxFrontMatterChars}); keep it to a few short fields ` +
          "and put the instructions after the closing '---' line",
      }],
    };
  }
  const lines = source.split(/\r?\n/);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  const yamlText = lines.slice(1, close).join("\n");
  const { data, problems } = readYaml(yamlText, path);
  if (problems.length > 0) return { problems };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return {
      problems: [{
        path,
        line: 2,
        message: "front matter must be a YAML mapping of 'key: value' lines",
      }],
    };
  }
  const frontMatter = data as Record<string, unknown>;
  const lineOf = (field: string) => {
    const index = lines.slice(1, close).findIndex((line) => line.startsWith(`${field}:`));
    return index < 0 ? 2 : index + 2;
  };
  const warnings: string[] = [];
  const name = frontMatter.name;
  if (typeof name !== "string" || name.trim() === "") {
    problems.push({
      path,
      line: lineOf("name"),
      field: "name",
      message: "'name' is missing; add 'name: my-skill'",
    });
  } else if (!NAME_RULE.test(name) || name.length > 64) {
    warnings.push(
      `${path}: 'name' "${name}" should be lowercase letters, digits and hyphens (at most 64)`,
    );
  }
  const description = frontMatter.description;
  if (typeof description !== "string" || description.trim() === "") {
    problems.push({
      path,
      line: lineOf("description"),
      field: "description",
      message:
        "'description' is missing; add 'description: what the skill does and when to use it'",
    });
  }
  const license = frontMatter.license;
  if (license !== undefined && typeof license !== "string") {
    problems.push({
      path,
      line: lineOf("license"),
      field: "license",
      message: "'license' must be a string",
    });
  }
  const allowedTools = readAllowedTools(frontMatter["allowed-tools"]);
  if (allowedTools === null) {
    problems.push({
      path,
      line: lineOf("allowed-tools"),
      field: "allowed-tools",
      message: "'allowed-tools' must be a string of tool names or a list of strings",
    });
  }
  const metadata = frontMatter.metadata;
  if (
    metadata !== undefined &&
    (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))
  ) {
    problems.push({
      path,
      line: lineOf("metadata"),
      field: "metadata",
      message: "'metadata' must be a mapping",
    });
  }
  const body = lines.slice(close + 1).join("\n").replace(/^\n+/, "");
  if (body.length > MAX_BODY) {
    problems.push({
      path,
      line: close + 2,
      message: `the instructions are ${body.length} characters long, more than ${MAX_BODY}; ` +
        "keep SKILL.md short and move reference material into files the skill reads",
    });
  } else if (body.length > LONG_BODY) {
    warnings.push(
      `${path}: the instructions are ${body.length} characters long (more than ${LONG_BODY}) ` +
        "and all go into the system prompt; move reference material into files the skill reads",
    );
  }
  if (text.includes("\uFFFD")) {
    warnings.push(
      `${path}: holds U+FFFD replacement characters, usually bytes that are not UTF-8; save it as UTF-8`,
    );
  }
  if (problems.length > 0) return { problems };
  const skill: SkillDocument = {
    path,
    name: (name as string).trim(),
    description: (description as string).trim(),
    ...(typeof license === "string" ? { license } : {}),
    ...(allowedTools ? { allowedTools } : {}),
    ...(metadata !== undefined ? { metadata: metadata as Record<string, unknown> } : {}),
    frontMatter,
    body,
    bodyLine: close + 2,
    warnings,
  };
  return { skill, problems: [] };
}

function readAllowedTools(value: unknown): string[] | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.split(/[\s,]+/).filter((item) => item !== "");
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return value as string[];
  }
  return null;
}

/**
 * Parse a SKILL.md text.
 *
 * @param text The file's content.
 * @param path The file's path, for messages.
 * @param options The front-matter size limit.
 * @returns The document.
 * @throws {SkillMdError} Listing every problem, each with path, line and field.
 * @throws {RangeError} When `maxFrontMatterChars` is not a positive integer.
 * @example
 * ```ts
 * import { parseSkillMd } from "jsr:@looplet/looplet/skills";
 * const skill = parseSkillMd("---\nname: hi\ndescription: Say hi\n---\nSay hi.", "hi/SKILL.md");
 * skill.body; // "Say hi."
 * ```
 */
export function parseSkillMd(
  text: string,
  path: string,
  options: ReadSkillMdOptions = {},
): SkillDocument {
  const { skill, problems } = readSkillMd(text, path, options);
  if (skill === undefined) throw new SkillMdError(problems);
  return skill;
}
