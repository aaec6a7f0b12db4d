import assert from "node:assert/strict";
import { jsonSchemaInput } from "../../../tools/mcp/mod.ts";

// The shape of server-filesystem's edit_file input (nested objects in an array).
const EDIT_FILE: Record<string, unknown> = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/mcp/edit_file_schema.json", import.meta.url)),
);

function issues(schema: Record<string, unknown>, value: unknown): string[] {
  const result = jsonSchemaInput(schema).safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

Deno.test("jsonSchemaInput() accepts valid nested input and passes it on unchanged", () => {
  const value = { path: "a.md", edits: [{ oldText: "a", newText: "b" }], extra: 1 };
  const result = jsonSchemaInput(EDIT_FILE).safeParse(value);
  assert.equal(result.success, true);
  assert.equal(result.success && result.data, value);
});

Deno.test("jsonSchemaInput() honours required only for the listed properties", () => {
  assert.deepEqual(issues(EDIT_FILE, { path: "a.md", edits: [] }), []); // dryRun is optional
  assert.deepEqual(issues(EDIT_FILE, {}), [
    "path: Invalid input: expected string, received undefined",
    "edits: Invalid input: expected array, received undefined",
  ]);
});

Deno.test("jsonSchemaInput() reports nested object and array errors with their path", () => {
  assert.deepEqual(issues(EDIT_FILE, { path: 1, edits: [{ oldText: "a" }, "b"], dryRun: "no" }), [
    "path: Invalid input: expected string, received integer",
    "edits.0.newText: Invalid input: expected string, received undefined",
    "edits.1: Invalid input: expected object, received string",
    "dryRun: Invalid input: expected boolean, received string",
  ]);
});

Deno.test("jsonSchemaInput() checks enums, const, numbers, strings and array sizes", () => {
  const schema = {
    type: "object",
    properties: {
      sortBy: { type: "string", enum: ["name", "size"] },
      kind: { const: "file" },
      count: { type: "integer", minimum: 1, maximum: 10 },
      ratio: { type: "number", exclusiveMaximum: 1, multipleOf: 0.25 },
      id: { type: "string", pattern: "^[a-z]+$", minLength: 2, maxLength: 4 },
      paths: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 },
      tags: { type: "array", uniqueItems: true },
    },
  };
  assert.deepEqual(
    issues(schema, {
      sortBy: "date",
      kind: "dir",
      count: 1.5,
      ratio: 1,
      id: "ABCDE",
      paths: [],
      tags: [1, 1],
    }),
    [
      'sortBy: Invalid option: expected one of "name"|"size"',
      'kind: Invalid input: expected "file"',
      "count: Invalid input: expected integer, received number",
      "ratio: Too big: expected number to be <1",
      "id: Too big: expected string to have <=4 characters",
      "id: Invalid string: must match pattern /^[a-z]+$/",
      "paths: Too small: expected array to have >=1 items",
      "tags.1: Invalid input: array items must be unique",
    ],
  );
  assert.deepEqual(
    issues(schema, {
      sortBy: "size",
      kind: "file",
      count: 10,
      ratio: 0.75,
      id: "ab",
      paths: ["x"],
    }),
    [],
  );
});

Deno.test("jsonSchemaInput() handles type lists, nullable, anyOf, oneOf, allOf and not", () => {
  const schema = {
    type: "object",
    properties: {
      a: { type: ["string", "null"] },
      b: { type: "string", nullable: true },
      c: { anyOf: [{ type: "string" }, { type: "number" }] },
      d: { oneOf: [{ type: "integer" }, { type: "number", minimum: 5 }] },
      e: { allOf: [{ type: "string" }, { minLength: 3 }] },
      f: { not: { type: "string" } },
    },
  };
  assert.deepEqual(issues(schema, { a: null, b: null, c: 1, d: 3, e: "abc", f: 1 }), []);
  assert.deepEqual(issues(schema, { a: 1, c: true, d: 7, e: "ab", f: "x" }), [
    "a: Invalid input: expected string or null, received integer",
    "c: Invalid input: matches none of the 2 allowed shapes (anyOf)",
    "d: Invalid input: must match exactly one of 2 shapes (oneOf), matches 2",
    "e: Too small: expected string to have >=3 characters",
    "f: Invalid input: matches a shape that is not allowed (not)",
  ]);
});

Deno.test("jsonSchemaInput() follows local $refs and stops on self-reference", () => {
  const schema = {
    type: "object",
    properties: { root: { $ref: "#/$defs/node" } },
    $defs: {
      node: {
        type: "object",
        properties: {
          name: { type: "string" },
          children: { type: "array", items: { $ref: "#/$defs/node" } },
        },
        required: ["name"],
      },
    },
  };
  assert.deepEqual(issues(schema, { root: { name: "a", children: [{ name: "b" }] } }), []);
  assert.deepEqual(issues(schema, { root: { name: "a", children: [{}] } }), [
    "root.children.0.name: Invalid input: expected string, received undefined",
  ]);
  const loop = { $ref: "#" };
  assert.match(issues(loop, {})[0]!, /refers back to itself without reaching a value/);
});

Deno.test("jsonSchemaInput() rejects unknown keys only with additionalProperties: false", () => {
  const closed = {
    type: "object",
    properties: { a: { type: "string" } },
    additionalProperties: false,
  };
  assert.deepEqual(issues(closed, { a: "x", b: 1 }), [': Unrecognized key: "b"']);
  const typed = { type: "object", additionalProperties: { type: "number" } };
  assert.deepEqual(issues(typed, { a: 1, b: "x" }), [
    "b: Invalid input: expected number, received string",
  ]);
});

Deno.test("jsonSchemaInput().toJSONSchema() returns the server's schema as written, as a copy", () => {
  const input = jsonSchemaInput(EDIT_FILE);
  const copy = input.toJSONSchema() as Record<string, unknown>;
  assert.deepEqual(copy, EDIT_FILE);
  copy.type = "string";
  assert.equal((input.toJSONSchema() as Record<string, unknown>).type, "object");
});

Deno.test("jsonSchemaInput() throws a TypeError for a schema that is not an object", () => {
  assert.throws(
    () => jsonSchemaInput([] as unknown as Record<string, unknown>),
    {
      name: "TypeError",
      message: "Cannot use JSON Schema: expected an object or a boolean, got array",
    },
  );
  assert.equal(jsonSchemaInput(true).safeParse({ any: 1 }).success, true);
});

Deno.test("jsonSchemaInput() checks self-referencing schemas in linear work, not exponential", () => {
  // Each of these doubled its work per level before and never finished at maxDepth 64.
  const anyOf = { anyOf: [{ $ref: "#" }, { $ref: "#" }] };
  assert.match(issues(anyOf, {})[0]!, /matches none of the 2 allowed shapes/);
  const allOf = { allOf: [{ $ref: "#" }, { $ref: "#" }, { type: "string" }] };
  const found = issues(allOf, {});
  assert.ok(found.length <= 50, `${found.length} issues`);
  assert.ok(found.some((line) => /expected string, received object/.test(line)));
  // A chain of definitions, each using the next twice: 2^30 paths, 30 nodes.
  const $defs: Record<string, unknown> = { d30: { type: "number" } };
  for (let i = 0; i < 30; i++) {
    $defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
  }
  const chain = { $ref: "#/$defs/d0", $defs };
  assert.deepEqual(issues(chain, 1), []);
  assert.match(issues(chain, "x")[0]!, /expected number, received string/);
  // A recursive tree over a large value: every node checked once.
  const tree = {
    type: "object",
    properties: { kids: { type: "array", items: { $ref: "#" } } },
  };
  const value = { kids: Array.from({ length: 20_000 }, () => ({ kids: [] })) };
  assert.deepEqual(issues(tree, value), []);
});

Deno.test("jsonSchemaInput() finds duplicates among many items without comparing every pair", () => {
  const unique = { type: "array", uniqueItems: true };
  const items = Array.from({ length: 50_000 }, (_, index) => ({ b: index, a: [index] }));
  assert.deepEqual(issues(unique, items), []);
  assert.deepEqual(issues(unique, [...items, { a: [7], b: 7 }]), [
    "50000: Invalid input: array items must be unique",
  ]);
});

/** safeParse in a worker, stopped at a deadline (a blocked validator cannot be timed out in place). */
async function safeParseWithin(deadlineMs: number, schema: unknown, value: unknown) {
  const worker = new Worker(new URL("./_pattern_worker.ts", import.meta.url).href, {
    type: "module",
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const answer = new Promise<{ result: { success: boolean; error?: { issues: unknown[] } } }>(
      (resolve, reject) => {
        worker.onmessage = (event) => resolve(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          reject(new Error(event.message));
        };
      },
    );
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    worker.postMessage({ schema, value });
    return (await Promise.race([answer, deadline])).result;
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}

Deno.test("jsonSchemaInput() checks a server's catastrophic pattern in linear time", async () => {
  const schema = {
    type: "object",
    properties: { word: { type: "string", pattern: "^(a+)+$" } },
    required: ["word"],
  };
  // JavaScript's own engine takes minutes on this (it doubles per character).
  const result = await safeParseWithin(20_000, schema, { word: `${"a".repeat(30)}!` });
  assert.deepEqual(result, {
    success: false,
    error: {
      issues: [{ message: "Invalid string: must match pattern /^(a+)+$/", path: ["word"] }],
    },
  });
  const long = await safeParseWithin(20_000, schema, { word: `${"a".repeat(100_000)}!` });
  assert.equal(long.success, false);
  assert.equal(
    (await safeParseWithin(20_000, schema, { word: "a".repeat(100_000) })).success,
    true,
  );
});

Deno.test("jsonSchemaInput() patterns agree with JavaScript's on everyday patterns", () => {
  const cases: [string, string, boolean][] = [
    ["^[a-z]+$", "abc", true],
    ["^[a-z]+$", "ab1", false],
    ["^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "ann@example.org", true],
    ["^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "ann@example", false],
    ["^\\d{4}-\\d{2}-\\d{2}$", "2026-12-03", true],
    ["^\\d{4}-\\d{2}-\\d{2}$", "2026-1-03", false],
    ["^(?=.*[A-Z])(?=.*\\d).{8,}$", "Secret123", true], // lookaheads
    ["^(?=.*[A-Z])(?=.*\\d).{8,}$", "secret123", false],
    ["(?<!\\$)\\b\\d+\\b", "costs $5", false], // lookbehind, word boundaries
    ["(?<!\\$)\\b\\d+\\b", "costs 5", true],
    ["^\\p{Lu}\\p{Ll}+$", "Émile", true], // Unicode properties, code points
    ["^.{2}$", "😀é", true],
    ["ab", "xxabxx", true], // unanchored: anywhere in the string
  ];
  for (const [pattern, text, expected] of cases) {
    assert.equal(
      new RegExp(pattern, "u").test(text),
      expected,
      `JavaScript: /${pattern}/ on ${text}`,
    );
    const schema = { type: "string", pattern };
    assert.equal(
      jsonSchemaInput(schema).safeParse(text).success,
      expected,
      `/${pattern}/ on ${text}`,
    );
  }
});

Deno.test("jsonSchemaInput() leaves patterns it cannot run in linear time to the server", () => {
  for (const pattern of ["^(a)\\1$", "^(?i:a)$", "^a{5000}$", "("]) {
    assert.equal(
      jsonSchemaInput({ type: "string", pattern }).safeParse("b").success,
      true,
      pattern,
    );
  }
});
