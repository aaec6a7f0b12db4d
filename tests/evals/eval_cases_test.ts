import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type EvalCase,
  EvalCaseError,
  evalCaseTests,
  loadCases,
  saveCases,
} from "../../evals/mod.ts";
import { tempDir } from "./_helpers.ts";

const CASES: EvalCase[] = [
  {
    id: "greet-two",
    task: { description: "Greet Alice and Bob" },
    expected: { names: ["Alice", "Bob"] },
    marks: ["smoke"],
  },
  { id: "greet-none", task: { description: "Greet nobody" }, notes: "edge case" },
];

Deno.test("saveCases() and loadCases() round-trip through a folder, a .json and a .jsonl file", async () => {
  const dir = await tempDir();
  const folder = join(dir, "cases");
  assert.deepEqual(await saveCases(CASES, folder), [
    join(folder, "greet-two.json"),
    join(folder, "greet-none.json"),
  ]);
  const expected = CASES.map((c) => ({ task: {}, expected: {}, marks: [], notes: "", ...c }));
  const byId = (list: EvalCase[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(byId(await loadCases(folder)), byId(expected));
  await saveCases(CASES, join(dir, "all.json"));
  assert.deepEqual(await loadCases(join(dir, "all.json")), expected);
  await saveCases(CASES, join(dir, "all.jsonl"));
  assert.deepEqual(await loadCases(join(dir, "all.jsonl")), expected);
  // On disk: sorted keys, empty optional fields left out.
  assert.equal(
    await Deno.readTextFile(join(folder, "greet-none.json")),
    '{\n  "id": "greet-none",\n  "notes": "edge case",\n  "task": {\n    "description": "Greet nobody"\n  }\n}\n',
  );
});

Deno.test("loadCases() names the file and line of bad JSON, duplicates and missing ids", async () => {
  const dir = await tempDir();
  const jsonl = join(dir, "bad.jsonl");
  await Deno.writeTextFile(jsonl, '# comment\n{"id": "a"}\n\n{"id": \n');
  await assert.rejects(() => loadCases(jsonl), (error: unknown) => {
    assert.ok(error instanceof EvalCaseError);
    assert.equal(error.message, `Cannot read eval cases "${jsonl}": line 4 is not valid JSON`);
    return true;
  });
  const dup = join(dir, "dup");
  await Deno.mkdir(dup);
  await Deno.writeTextFile(join(dup, "a.json"), '{"id": "x"}');
  await Deno.writeTextFile(join(dup, "b.json"), '[{"id": "x"}]');
  await assert.rejects(() => loadCases(dup), /case id "x" is used twice \(first in ".*a.json"\)/);
  await Deno.writeTextFile(join(dir, "noid.json"), '{"task": {}}');
  await assert.rejects(() => loadCases(join(dir, "noid.json")), /the case has no 'id'/);
  await assert.rejects(() => loadCases(join(dir, "missing")), /the path does not exist/);
});

Deno.test("saveCases() refuses duplicate ids and ids that cannot be file names", async () => {
  const dir = await tempDir();
  await assert.rejects(
    () => saveCases([{ id: "a" }, { id: "a" }], join(dir, "x.json")),
    /case id "a" is used twice/,
  );
  await assert.rejects(
    () => saveCases([{ id: "../escape" }], join(dir, "cases")),
    /cannot be a file name/,
  );
});

Deno.test("evalCaseTests() registers one Deno.test per case, honouring marks", async () => {
  const registered: Deno.TestDefinition[] = [];
  const ran: string[] = [];
  const count = evalCaseTests(CASES, (item) => void ran.push(item.id), {
    test: (definition) => void registered.push(definition),
    exclude: ["smoke"],
  });
  assert.equal(count, 2);
  assert.deepEqual(registered.map((d) => [d.name, d.ignore]), [["eval case greet-two", true], [
    "eval case greet-none",
    false,
  ]]);
  await registered[1]!.fn!({} as Deno.TestContext);
  assert.deepEqual(ran, ["greet-none"]);
  assert.equal(evalCaseTests(CASES, () => {}, { include: ["smoke"], test: () => {} }), 1);
});

// The helper with the real Deno.test: these cases run as tests of this file.
evalCaseTests(CASES, (item) => {
  assert.ok(typeof item.task?.description === "string");
}, { prefix: "evalCaseTests() real registration: " });
