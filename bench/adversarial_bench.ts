/**
 * Hostile input at 1, 8 and 64 MB: milliseconds per MB for each parser of
 * untrusted input (`deno task bench adversarial`). Linear parsers keep about
 * the same ms/MB at every size; the time at 64 MB over the time at 1 MB must
 * stay at most 80 (linear is 64, quadratic 4096).
 *
 * YAML front matter over 1,000,000 characters is refused unread
 * (`maxFrontMatterChars`): its document tree at 64 MB (five million keys)
 * does not fit in memory, linear or not. So the reader is measured at 1 and
 * 8 MB with the limit raised, and the refusal at 1, 8 and 64 MB.
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

/** A SKILL.md whose front matter holds about `bytes` bytes of `kN: v` lines. */
function frontMatterKeys(bytes: number): string {
  const keys = Array.from({ length: Math.ceil(bytes / 12) }, (_, i) => `k${i}: v`).join("\n");
  return `---\nname: a\ndescription: b\n${keys}\n---\nBody`;
}

const CASES: Case[] = [
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
    sizes: [1, 8, 64],
    prepare: (n) => {
      const text = JSON.stringify({ tool: "write_file", args: { content: "x".repeat(n) } });
      return () => parseToolCalls(text);
    },
  },
  {
    name: "SseParser: one data line",
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
    sizes: [1, 8, 64],
    prepare: (n) => stdio(new TextEncoder().encode(`{"x":"${"y".repeat(n)}"}\n`)),
  },
  {
    name: "jsonSchemaInput: 1 KB strings in a recursive schema",
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
    sizes: [1, 8],
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
for (const item of CASES) {
  await item.prepare(MB)(); // warm up
  const times: number[] = [];
  for (const size of item.sizes) {
    const work = item.prepare(size * MB);
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  const perMb = times.map((time, index) => time / (item.sizes[index] ?? 1));
  const largest = item.sizes.at(-1) ?? 1;
  const ratio = (times.at(-1) ?? 0) / (times[0] ?? 1);
  const limit = largest * 1.25; // 80 for 64 MB
  if (ratio > limit) failed = true;
  console.log(
    item.name.padEnd(52) +
      perMb.map((value) => value.toFixed(1).padStart(9)).join("") +
      " ".repeat(9 * (3 - perMb.length)) +
      `   ${ratio.toFixed(1)} (limit ${limit})${ratio > limit ? "  FAIL" : ""}`,
  );
}
if (failed) Deno.exit(1);
