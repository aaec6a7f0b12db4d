// Seeded fuzz cases and complexity probes for the parsers of untrusted input.
// Each group returns how many cases it ran and what went wrong; the test file
// runs the groups in a worker it can stop at a deadline.
import { parse as parseYaml, parseDocument } from "yaml";
import { parseToolCalls } from "../../../loop/parse.ts";
import { type SseEvent, SseLimitError, SseParser } from "../../../internal/sse.ts";
import { lines } from "../../../tools/mcp/_stdio_transport.ts";
import { jsonSchemaInput } from "../../../tools/mcp/json_schema_input.ts";
import { linearRegex } from "../../../tools/mcp/_linear_regex.ts";
import { readSkillMd } from "../../../skills/skill_md.ts";
import { parseFlatFrontMatter } from "../../../bundles/_front_matter.ts";

/** What one group found. */
export interface GroupResult {
  readonly cases: number;
  readonly failures: string[];
}

/** mulberry32: a small seeded generator, so every failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function join(next: () => number, tokens: readonly string[], count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) out += pick(next, tokens);
  return out;
}

function record(failures: string[], label: string, input: unknown, error: unknown): void {
  if (failures.length < 5) {
    failures.push(`${label}: ${String(error)} for ${JSON.stringify(input)?.slice(0, 300)}`);
  }
}

const CALL_TOKENS = [
  "{",
  "}",
  "[",
  "]",
  '"',
  "\\",
  ":",
  ",",
  " ",
  "\n",
  "\r",
  "\t",
  "```",
  "```json\n",
  '"tool"',
  '"name"',
  '"args"',
  '"arguments"',
  '"function"',
  '"tools"',
  '"id"',
  '"greet"',
  '""',
  "1",
  "null",
  "true",
  "x",
  "é",
  "\u2028",
  '{"tool": "a", "args": {}}',
  '{"function": {"name": "", "arguments": "{}"}}',
  '"{\\"a\\":1}"',
  "[[",
  "]]",
  "{Note: it's ",
  "[see ",
  "'",
];

/** parseToolCalls never throws and never yields a call without a name or with non-object args. */
export function fuzzToolCalls(seed: number, count: number): GroupResult {
  const next = random(seed);
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = join(next, CALL_TOKENS, 1 + Math.floor(next() * 40));
    try {
      for (const call of parseToolCalls(text)) {
        if (typeof call.name !== "string" || call.name === "") throw new Error("empty name");
        if (typeof call.args !== "object" || call.args === null || Array.isArray(call.args)) {
          throw new Error("args is not an object");
        }
      }
    } catch (error) {
      record(failures, "parseToolCalls", text, error);
    }
  }
  return { cases: count, failures };
}

const SSE_TOKENS = [
  "data:",
  "data: ",
  "event: x\n",
  "id: 1\n",
  ": c\n",
  "\n",
  "\r",
  "\r\n",
  "\n\n",
  "x",
  "{}",
  "é",
  "retry: 5\n",
  "data",
  ":",
  " ",
  "\u0000",
];

function sseRun(chunks: readonly string[], limit?: number): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), { maxEventLength: limit });
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

/** SseParser never throws (but for its limit) and reads the same events however the text is cut. */
export function fuzzSse(seed: number, count: number): GroupResult {
  const next = random(seed);
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = join(next, SSE_TOKENS, 1 + Math.floor(next() * 30));
    const chunks: string[] = [];
    for (let at = 0; at < text.length;) {
      const size = 1 + Math.floor(next() * 6);
      chunks.push(text.slice(at, at + size));
      at += size;
    }
    try {
      const whole = JSON.stringify(sseRun([text]));
      const cut = JSON.stringify(sseRun(chunks));
      if (whole !== cut) throw new Error(`cut differently: ${whole} vs ${cut}`);
      try {
        sseRun(chunks, 8);
      } catch (error) {
        if (!(error instanceof SseLimitError)) throw error;
      }
    } catch (error) {
      record(failures, "SseParser", chunks, error);
    }
  }
  return { cases: count, failures };
}

async function collect(bytes: Uint8Array, cuts: number[], limit: number) {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        controller.enqueue(bytes.slice(at, cut));
        at = cut;
      }
      controller.close();
    },
  });
  const out: (string | undefined)[] = [];
  for await (const line of lines(stream, limit)) out.push(line);
  return out;
}

/** The MCP stdio splitter gives the lines of the text however its bytes are cut. */
export async function fuzzStdioLines(seed: number, count: number): Promise<GroupResult> {
  const next = random(seed);
  const failures: string[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    const text = join(
      next,
      ["a", "é", "\n", "\r\n", "{}", "✓", " ", "\r"],
      Math.floor(next() * 30),
    );
    const bytes = encoder.encode(text);
    const cuts = [...new Set(Array.from({ length: 3 }, () => Math.floor(next() * bytes.length)))]
      .sort((a, b) => a - b);
    try {
      const pieces = text.split("\n");
      if (pieces.at(-1) === "") pieces.pop();
      const expected = pieces.map((line) => line.replace(/\r$/, ""));
      const got = await collect(bytes, cuts, 1 << 20);
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        throw new Error(`got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      }
    } catch (error) {
      record(failures, "stdio lines", text, error);
    }
  }
  return { cases: count, failures };
}

const SCHEMA_PARTS: (() => unknown)[] = [
  () => ({ $ref: "#" }),
  () => ({ $ref: "#/$defs/a" }),
  () => ({ $ref: "#/nope/%zz" }),
  () => ({ type: "object" }),
  () => ({ type: ["string", "null"] }),
  () => ({ enum: [1, "a", null] }),
  () => ({ const: { a: [1] } }),
  () => ({ pattern: "^a+$" }),
  () => ({ pattern: "(" }),
  () => ({ minLength: 2, maxLength: 3 }),
  () => ({ uniqueItems: true }),
  () => ({ multipleOf: 0.1 }),
  () => true,
  () => false,
];

function randomSchema(next: () => number, depth: number): unknown {
  if (depth <= 0 || next() < 0.3) return pick(next, SCHEMA_PARTS)();
  const children = () =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomSchema(next, depth - 1));
  switch (Math.floor(next() * 6)) {
    case 0:
      return { anyOf: children() };
    case 1:
      return { allOf: children() };
    case 2:
      return { oneOf: children(), not: randomSchema(next, depth - 1) };
    case 3:
      return {
        type: "object",
        properties: { a: randomSchema(next, depth - 1), b: randomSchema(next, depth - 1) },
        required: ["a"],
        additionalProperties: randomSchema(next, depth - 1),
      };
    case 4:
      return { items: randomSchema(next, depth - 1), prefixItems: children() };
    default:
      return { $defs: { a: randomSchema(next, depth - 1) }, $ref: "#/$defs/a" };
  }
}

function randomValue(next: () => number, depth: number): unknown {
  const choice = Math.floor(next() * (depth <= 0 ? 5 : 7));
  switch (choice) {
    case 0:
      return null;
    case 1:
      return next() * 10;
    case 2:
      return pick(next, ["", "a", "aaa", "é", "{}"]);
    case 3:
      return next() < 0.5;
    case 4:
      return Math.floor(next() * 4);
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth - 1));
    default:
      return { a: randomValue(next, depth - 1), b: randomValue(next, depth - 1) };
  }
}

/** jsonSchemaInput never throws on any schema a server could send, whatever the value. */
export function fuzzJsonSchema(seed: number, count: number): GroupResult {
  const next = random(seed);
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const schema = { ...(randomSchema(next, 4) as object), $defs: { a: randomSchema(next, 3) } };
    const value = randomValue(next, 4);
    try {
      const result = jsonSchemaInput(schema).safeParse(value);
      if (!result.success && result.error.issues.length === 0) throw new Error("no issues");
    } catch (error) {
      record(failures, "jsonSchemaInput", { schema, value }, error);
    }
  }
  return { cases: count, failures };
}

const PATTERN_ATOMS = [
  "a",
  "b",
  ".",
  "[ab]",
  "[^a]",
  "[a-c\\d]",
  "\\d",
  "\\w",
  "\\W",
  "\\s",
  "\\p{L}",
  "\\u{1F600}",
  "😀",
  "é",
  "\\n",
  "\\b",
  "\\B",
  "^",
  "$",
  "",
];
const QUANTIFIERS = ["", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "+?", "{1,3}?"];
const PATTERN_TEXT = ["a", "b", "1", " ", "é", "😀", "\n", "_", "\uD800"];

function randomPattern(next: () => number, depth: number): string {
  const choice = depth <= 0 ? 0 : Math.floor(next() * 9);
  switch (choice) {
    case 0:
    case 1:
    case 2: {
      const atom = pick(next, PATTERN_ATOMS);
      return /^(\^|\$|\\b|\\B|)$/.test(atom) ? atom : atom + pick(next, QUANTIFIERS);
    }
    case 3:
    case 4:
      return randomPattern(next, depth - 1) + randomPattern(next, depth - 1);
    case 5:
      return `(?:${randomPattern(next, depth - 1)}|${randomPattern(next, depth - 1)})`;
    case 6:
      return `(${randomPattern(next, depth - 1)})${pick(next, QUANTIFIERS)}`;
    case 7:
      return `(?${pick(next, ["=", "!", "<=", "<!"])}${randomPattern(next, depth - 1)})`;
    default:
      return `(?:${randomPattern(next, depth - 1)})${pick(next, QUANTIFIERS)}`;
  }
}

/**
 * An empty match between the two halves of a surrogate pair: V8 tries those
 * positions for empty matches (the standard reads the text by code points,
 * as the linear matcher does), e.g. /\B/u finds one in "a😀b".
 */
function insidePair(text: string, found: RegExpExecArray | null): boolean {
  if (found === null || found[0] !== "") return false;
  const before = text.charCodeAt(found.index - 1);
  const after = text.charCodeAt(found.index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** The linear pattern matcher answers as JavaScript's engine does (on texts short enough for it). */
export function fuzzPatterns(seed: number, count: number): GroupResult {
  const next = random(seed);
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const source = randomPattern(next, 4);
    let native: RegExp;
    try {
      native = new RegExp(source, "u");
    } catch {
      continue; // not a pattern: it does not constrain either way
    }
    const compiled = linearRegex(source);
    if (!("test" in compiled)) {
      record(failures, "linearRegex", source, compiled.unsupported);
      continue;
    }
    for (let j = 0; j < 4; j++) {
      const text = join(next, PATTERN_TEXT, Math.floor(next() * 7));
      const got = compiled.test(text);
      const found = native.exec(text);
      if (got !== (found !== null) && !insidePair(text, found)) {
        record(failures, "linearRegex", { source, text }, `got ${got}`);
      }
    }
  }
  return { cases: count, failures };
}

const FRONT_LINES = [
  "name: a",
  "name: x-y",
  "description: Does things, well",
  "description: ? x",
  "tags:",
  "  - one",
  " - two",
  "  - three words",
  "tags: [a, b c]",
  "tags: [a, [b]]",
  "max-steps: 30",
  "max-steps: 030",
  "flag: true",
  "flag: yes",
  "x: ~",
  "x: 'it''s'",
  'x: "q"',
  'x: "a\\"b"',
  "x: a: b",
  "x: a #c",
  "# comment",
  "",
  "  continued",
  "x: *a",
  "x: &a v",
  "y: *a",
  "metadata:",
  "  k: v",
  "x: [",
  "x: {a: 1}",
  "x: >",
  "x: |",
  "\tx: tab",
  "x: -1",
  "x: 0x10",
  "x: .5",
  "x: é",
  "x: a\u0085b",
  "x: null",
  "x: Null",
  "name: a",
  "k-1: v",
  "__proto__: x",
];

/** readSkillMd never throws; the fast reader agrees with YAML whenever it answers. */
export function fuzzFrontMatter(seed: number, count: number): GroupResult {
  const next = random(seed);
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const front = Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(next, FRONT_LINES));
    const text = `---\n${front.join("\n")}\n---\nBody`;
    try {
      const result = readSkillMd(text, "fuzz/SKILL.md");
      if (result.skill === undefined && result.problems.length === 0) throw new Error("neither");
      const fast = parseFlatFrontMatter(front);
      if (fast !== undefined) {
        const document = parseDocument(front.join("\n"), { uniqueKeys: true });
        if (document.errors.length > 0) throw new Error(`YAML refuses what the fast reader read`);
        const yaml = document.toJS() ?? {};
        if (JSON.stringify(yaml) !== JSON.stringify(fast) || !sameKeys(yaml, fast)) {
          throw new Error(`fast ${JSON.stringify(fast)} vs YAML ${JSON.stringify(yaml)}`);
        }
      }
    } catch (error) {
      record(failures, "front matter", front, error);
    }
  }
  return { cases: count, failures };
}

function sameKeys(a: unknown, b: unknown): boolean {
  return JSON.stringify(parseYaml(JSON.stringify(a))) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------
// Complexity: time at n and 16n, against a linear baseline on the same input
// ---------------------------------------------------------------------------

/** One adversarial input family: builds an input of about `size` characters and parses it. */
export interface Family {
  readonly name: string;
  readonly make: (size: number) => string;
  readonly run: (input: string) => unknown;
}

function bestOf(times: number, work: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** A linear baseline: one pass over the characters. */
function scan(input: string): number {
  let sum = 0;
  for (let i = 0; i < input.length; i++) sum = (sum + input.charCodeAt(i)) | 0;
  return sum;
}

/** How much slower 16n is than n, for the family and for the baseline. */
export function growth(family: Family, size: number): { family: number; baseline: number } {
  const small = family.make(size);
  const large = family.make(size * 16);
  family.run(small); // warm up
  const familySmall = bestOf(5, () => family.run(small));
  const familyLarge = bestOf(3, () => family.run(large));
  const baseSmall = bestOf(5, () => scan(small));
  const baseLarge = bestOf(3, () => scan(large));
  return {
    family: familyLarge / Math.max(familySmall, 0.05),
    baseline: baseLarge / Math.max(baseSmall, 0.05),
  };
}

function sse(input: string): number {
  let count = 0;
  const parser = new SseParser(() => count++);
  for (let i = 0; i < input.length; i += 16384) parser.push(input.slice(i, i + 16384));
  parser.end();
  return count;
}

const CODE = "function f() { return {a: [1, 2]}; }\n";

/** The families the issue measured, one per parser. */
export const FAMILIES: readonly Family[] = [
  { name: "parseToolCalls: unmatched '{'", make: (n) => "{".repeat(n), run: parseToolCalls },
  {
    name: "parseToolCalls: unmatched '{\"'",
    make: (n) => '{"'.repeat(n / 2),
    run: parseToolCalls,
  },
  {
    name: "parseToolCalls: a write_file call cut off",
    make: (n) =>
      '{"tool":"write_file","args":{"path":"a.ts","content":"' +
      CODE.repeat(Math.ceil(n / CODE.length)),
    run: parseToolCalls,
  },
  {
    name: "parseToolCalls: prose braces with stray quotes, then a call",
    make: (n) => `{Note: it's "odd} [see "x] {  `.repeat(Math.ceil(n / 30)) + '{"tool":"a"}',
    run: parseToolCalls,
  },
  {
    name: "parseToolCalls: many calls in prose",
    make: (n) => 'ok {"tool":"a","args":{"x":[1]}} '.repeat(Math.ceil(n / 33)),
    run: parseToolCalls,
  },
  { name: "SseParser: one long data line", make: (n) => `data: ${"x".repeat(n)}\n\n`, run: sse },
  {
    name: "readSkillMd: many front-matter keys",
    make: (n) =>
      `---\nname: a\ndescription: b\n${
        Array.from({ length: Math.ceil(n / 12) }, (_, i) => `k${i}: v`).join("\n")
      }\n---\nBody`,
    run: (text) => readSkillMd(text, "big/SKILL.md"),
  },
  {
    name: "jsonSchemaInput: a server's pattern ^(a+)+$ on a long string",
    make: (n) => JSON.stringify({ word: `${"a".repeat(n)}!` }),
    run: (text) =>
      jsonSchemaInput({ type: "object", properties: { word: { pattern: "^(a+)+$" } } })
        .safeParse(JSON.parse(text)),
  },
  {
    name: "jsonSchemaInput: a recursive schema over a wide value",
    make: (n) =>
      JSON.stringify({ kids: Array.from({ length: Math.ceil(n / 12) }, () => ({ kids: [] })) }),
    run: (text) =>
      jsonSchemaInput({
        type: "object",
        properties: { kids: { type: "array", items: { $ref: "#" } } },
      })
        .safeParse(JSON.parse(text)),
  },
];
