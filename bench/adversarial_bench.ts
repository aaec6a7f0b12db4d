/**
 * Hostile input at 1, 8 and 64 MB: milliseconds per MB for each parser of
 * untrusted input (`deno task bench adversarial`). Linear parsers keep about
 * the same ms/MB at every size; the time at 64 MB over the time at 1 MB must
 * stay at most 80 (linear is 64, quadratic 4096). A parser whose cost the
 * memory sets (it writes a string as long as its input, or walks a tree of
 * objects larger than the CPU caches) is held instead to 1.25 times the
 * growth of the baseline row (one copy of the input, in the same batch) when
 * that is higher: 64 MB of memory costs more per MB than 1 MB does, whatever
 * the code.
 *
 * YAML front matter over 1,000,000 characters is refused unread
 * (`maxFrontMatterChars`): its document tree at 64 MB (five million keys)
 * does not fit in memory, linear or not. So the reader is measured at 1 and
 * 8 MB with the limit raised, and the refusal at 1, 8 and 64 MB.
 *
 * Last, bench/checkpoint_bench.ts runs in a child process for the checkpoint
 * µs/turn at turns 100 and 5,000 (their ratio must stay at most 1.5);
 * `--parsers-only` skips it. Each size runs after a warm-up at the largest
 * size, best of three (one for the slow YAML row), each run after the CPU
 * caches were flushed.
 *
 * @module
 */
import { parseToolCalls } from "../loop/parse.ts";
import { SseParser } from "../internal/sse.ts";
import { lines } from "../tools/mcp/_stdio_transport.ts";
import { jsonSchemaInput } from "../tools/mcp/json_schema_input.ts";
import { readSkillMd } from "../skills/skill_md.ts";

const MB = 1024 * 1024;
const CODE = "function f() { return {a: [1, 2]}; }\n";

interface Case {
  readonly name: string;
  readonly sizes: readonly number[];
  /** Runs per size; the best is kept. @default 3 */
  readonly runs?: number;
  /** Memory sets its cost (a copy as long as the input, a walk of a large tree): it may grow as a copy does. @default false */
  readonly memoryBound?: boolean;
  /** Build the input of about `bytes` bytes, then return the work to time. */
  readonly prepare: (bytes: number) => () => unknown | Promise<unknown>;
}

function sse(text: string): () => number {
  return () => {
    let count = 0;
    const parser = new SseParser(() => count++, { maxEventLength: 128 * MB });
    for (let i = 0; i < text.length; i += 16384) parser.push(text.slice(i, i + 16384));
    parser.end();
    return count;
  };
}

function stdio(bytes: Uint8Array): () => Promise<number> {
  return async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65536) {
          controller.enqueue(bytes.subarray(i, i + 65536));
        }
        controller.close();
      },
    });
    let count = 0;
    for await (const _ of lines(stream, 128 * MB)) count++;
    return count;
  };
}

const SCRATCH = new Uint8Array(64 * MB);

/**
 * Write 64 MB before each timed run, so that every size starts from memory,
 * not from the CPU caches (a 1 MB input fits in them, a 64 MB one does not).
 */
function evictCaches(): void {
  SCRATCH.fill((SCRATCH[0]! + 1) & 255);
}

/** A SKILL.md whose front matter holds at least `bytes` characters of `kN: v` lines. */
function frontMatterKeys(bytes: number): string {
  const keys: string[] = [];
  for (let length = 0; length < bytes; length += keys.at(-1)!.length + 1) {
    keys.push(`k${keys.length}: v`);
  }
  return `---\n${keys.join("\n")}\nname: a\ndescription: b\n---\nBody`;
}

const CASES: Case[] = [
  {
    name: "baseline: copy the input once (16 KB pieces)",
    memoryBound: true,
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = "x".repeat(n);
      return () => {
        const pieces: string[] = [];
        for (let i = 0; i < text.length; i += 16384) pieces.push(text.slice(i, i + 16384));
        return pieces.join("").length;
      };
    },
  },
  {
    name: "parseToolCalls: '{' repeated",
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = "{".repeat(n);
      return () => parseToolCalls(text);
    },
  },
  {
    name: `parseToolCalls: '{"' repeated`,
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = '{"'.repeat(n / 2);
      return () => parseToolCalls(text);
    },
  },
  {
    name: "parseToolCalls: prose braces, stray quotes, a call",
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = `{Note: it's "odd} [see "x] `.repeat(n / 27) + '{"tool":"a","args":{}}';
      return () => parseToolCalls(text);
    },
  },
  {
    name: "parseToolCalls: write_file cut by max_tokens",
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = '{"tool":"write_file","args":{"path":"a.ts","content":"' +
        CODE.repeat(Math.ceil(n / CODE.length));
      return () => parseToolCalls(text);
    },
  },
  {
    name: "parseToolCalls: one valid call",
    memoryBound: true,
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = JSON.stringify({ tool: "write_file", args: { content: "x".repeat(n) } });
      return () => parseToolCalls(text);
    },
  },
  {
    name: "SseParser: one data line",
    memoryBound: true,
    sizes: [1, 8, 64],
    prepare: (n) => sse(`data: ${"x".repeat(n)}\n\n`),
  },
  {
    name: "SseParser: small events",
    sizes: [1, 8, 64],
    prepare: (n) => sse('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n'.repeat(n / 48)),
  },
  {
    name: "MCP stdio: one line",
    memoryBound: true,
    sizes: [1, 8, 64],
    prepare: (n) => stdio(new TextEncoder().encode(`{"x":"${"y".repeat(n)}"}\n`)),
  },
  {
    name: "jsonSchemaInput: 1 KB strings in a recursive schema",
    memoryBound: true,
    sizes: [1, 8, 64],
    prepare: (n) => {
      const value = { kids: Array.from({ length: n / 1024 }, () => ({ text: "z".repeat(1000) })) };
      const input = jsonSchemaInput({
        type: "object",
        properties: {
          kids: { type: "array", items: { $ref: "#" } },
          text: { type: "string", maxLength: 5000 },
        },
      });
      return () => input.safeParse(value);
    },
  },
  {
    name: "jsonSchemaInput: pattern ^(a+)+$ (stops at 20 M steps)",
    sizes: [1, 8, 64],
    prepare: (n) => {
      const value = { word: `${"a".repeat(n - 1)}!` };
      const input = jsonSchemaInput({ properties: { word: { pattern: "^(a+)+$" } } });
      return () => input.safeParse(value);
    },
  },
  {
    name: "readSkillMd: front-matter keys (limit raised)",
    memoryBound: true,
    sizes: [1, 8],
    runs: 1,
    prepare: (n) => {
      const text = frontMatterKeys(n);
      return () => readSkillMd(text, "big/SKILL.md", { maxFrontMatterChars: 16 * MB });
    },
  },
  {
    name: "readSkillMd: front-matter keys refused (1 MB limit)",
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = frontMatterKeys(n);
      return () => {
        const { problems } = readSkillMd(text, "big/SKILL.md");
        if (!/maxFrontMatterChars/.test(problems[0]?.message ?? "")) throw new Error("not refused");
      };
    },
  },
];

console.log("parser".padEnd(52) + "ms/MB at   1 MB     8 MB    64 MB   time ratio (largest/1 MB)");
let failed = false;
let baseline: Map<number, number> | undefined;
// The baseline runs twice and reports the second: the first row in a process measures its 1 MB
// size several times slower than every later row does.
for (const [row, item] of [CASES[0]!, ...CASES].entries()) {
  const works = item.sizes.map((size) => item.prepare(size * MB));
  await works.at(-1)!(); // warm up at the largest size: the JIT and the heap's growth are paid once
  const times: number[] = [];
  for (const [index, work] of works.entries()) {
    // Small sizes repeat (8 runs of 1 MB): a sub-millisecond time alone is mostly noise.
    const repeats = item.runs === 1 ? 1 : Math.max(1, Math.floor(8 / item.sizes[index]!));
    let best = Infinity;
    for (let run = 0; run < (item.runs ?? 3); run++) {
      evictCaches();
      const start = performance.now();
      for (let repeat = 0; repeat < repeats; repeat++) await work();
      best = Math.min(best, (performance.now() - start) / repeats);
    }
    times.push(best);
  }
  const perMb = times.map((time, index) => time / (item.sizes[index] ?? 1));
  const largest = item.sizes.at(-1) ?? 1;
  const ratio = (times.at(-1) ?? 0) / (times[0] ?? 1);
  if (row === 0) continue;
  // The baseline's growth from 1 MB to each size: what the memory system adds, not the code.
  baseline ??= new Map(item.sizes.map((size, index) => [size, times[index]! / times[0]!]));
  const copyGrowth = item.memoryBound ? baseline.get(largest) ?? 0 : 0;
  const limit = Math.round(Math.max(largest, copyGrowth) * 1.25);
  if (ratio > limit) failed = true;
  console.log(
    item.name.padEnd(52) +
      perMb.map((value) => value.toFixed(value < 10 ? 2 : 1).padStart(9)).join("") +
      " ".repeat(9 * (3 - perMb.length)) +
      `   ${ratio.toFixed(1)} (limit ${limit})${ratio > limit ? "  FAIL" : ""}`,
  );
}
if (Deno.args.includes("--parsers-only")) Deno.exit(failed ? 1 : 0);
// Checkpoint cost per turn at turn 100 and 5,000 (issue 19: ratio at most 1.5),
// measured by bench/checkpoint_bench.ts in its own process (a fresh heap).
console.log();
const checkpoints = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("./checkpoint_bench.ts", import.meta.url).pathname],
  stdout: "piped",
  stderr: "inherit",
}).output();
const table = new TextDecoder().decode(checkpoints.stdout);
console.log(table.trimEnd());
const ratios = table.split("\n").filter((line) => /^\| \S/.test(line) && !/store on/.test(line))
  .map((line) => Number(line.split("|")[4]));
if (!checkpoints.success || ratios.length === 0 || ratios.some((ratio) => !(ratio <= 1.5))) {
  console.log("checkpoint µs/turn ratio (turns 4,951-5,050 over 51-150): limit 1.5  FAIL");
  failed = true;
} else console.log("checkpoint µs/turn ratio (turns 4,951-5,050 over 51-150): limit 1.5  ok");
if (failed) Deno.exit(1);
