import assert from "node:assert/strict";
import { parseToolCalls } from "../../mod.ts";

Deno.test("parseToolCalls() reads a bare JSON call", () => {
  const calls = parseToolCalls('{"tool": "greet", "args": {"name": "Bob"}, "reasoning": "say hi"}');
  assert.deepEqual(calls, [{
    id: "call_1",
    name: "greet",
    args: { name: "Bob" },
    reasoning: "say hi",
  }]);
});

Deno.test("parseToolCalls() reads a fenced block with prose around it", () => {
  const text = 'I will greet.\n```json\n{"tool": "greet", "args": {"name": "A"}}\n```\nThanks!';
  assert.deepEqual(parseToolCalls(text).map((call) => [call.name, call.args]), [["greet", {
    name: "A",
  }]]);
});

Deno.test("parseToolCalls() reads JSON embedded in prose, nested deeper than two levels", () => {
  const text =
    'Sure! {"tool": "write", "args": {"doc": {"meta": {"tags": ["a", {"b": 1}]}}}} — done.';
  assert.deepEqual(parseToolCalls(text)[0]!.args, { doc: { meta: { tags: ["a", { b: 1 }] } } });
});

Deno.test("parseToolCalls() reads several calls: objects, arrays and the tools list", () => {
  const two = parseToolCalls('{"tool":"a","args":{}}\n{"tool":"b","args":{"x":1}}');
  assert.deepEqual(two.map((call) => call.name), ["a", "b"]);
  const list = parseToolCalls(
    '{"tools":[{"tool":"a"},{"tool":"b","args":{"y":2}}],"reasoning":"r"}',
  );
  assert.deepEqual(list.map((call) => [call.name, call.args, call.reasoning]), [["a", {}, "r"], [
    "b",
    { y: 2 },
    "r",
  ]]);
  const array = parseToolCalls('[{"name":"a","arguments":{"q":1}},{"name":"b","input":{"q":2}}]');
  assert.deepEqual(array.map((call) => call.args), [{ q: 1 }, { q: 2 }]);
  assert.deepEqual(array.map((call) => call.id), ["call_1", "call_2"]);
});

Deno.test("parseToolCalls() takes flat arguments beside the tool name", () => {
  assert.deepEqual(parseToolCalls('{"name": "add", "a": 1, "b": 2, "thought": "sum"}')[0], {
    id: "call_1",
    name: "add",
    args: { a: 1, b: 2 },
    reasoning: "sum",
  });
});

Deno.test("parseToolCalls() reads OpenAI-style function objects with string arguments", () => {
  const calls = parseToolCalls(
    '{"type":"function","function":{"name":"add","arguments":"{\\"a\\":1}"}}',
  );
  assert.deepEqual(calls[0]!.args, { a: 1 });
});

Deno.test("parseToolCalls() repairs raw newlines inside JSON strings", () => {
  const calls = parseToolCalls('{"tool": "write", "args": {"text": "line 1\nline 2"}}');
  assert.equal(calls[0]!.args.text, "line 1\nline 2");
});

Deno.test("parseToolCalls() marks arguments that are not a JSON object", () => {
  const [call] = parseToolCalls('{"tool": "greet", "args": "Bob"}');
  assert.equal(call!.name, "greet");
  assert.deepEqual(call!.args, {});
  assert.equal(call!.argsError, "Bob");
});

Deno.test("parseToolCalls() finds nothing in prose, empty text or broken JSON", () => {
  assert.deepEqual(parseToolCalls(""), []);
  assert.deepEqual(parseToolCalls("   \n"), []);
  assert.deepEqual(parseToolCalls("I think we are done here."), []);
  assert.deepEqual(parseToolCalls('{"tool": "greet", "args": {"name": '), []);
  assert.deepEqual(parseToolCalls('{"answer": 42}'), []);
});

Deno.test("parseToolCalls() keeps ids the model gave and uses the prefix otherwise", () => {
  const calls = parseToolCalls('{"id":"x9","tool":"a"} {"tool":"b"}', "t3_");
  assert.deepEqual(calls.map((call) => call.id), ["x9", "t3_2"]);
});

Deno.test("parseToolCalls() finds the call after prose braces holding a stray quote", () => {
  const call = '{"tool":"x","args":{"n":1}}';
  const names = (text: string) => parseToolCalls(text).map((found) => [found.name, found.args]);
  const expected = [["x", { n: 1 }]];
  assert.deepEqual(names(`{Note: it's "weird} ${call}`), expected);
  assert.deepEqual(names(`[see "the docs] ${call}`), expected);
  assert.deepEqual(names(`Oops} ] unbalanced } ${call} }`), expected);
  assert.deepEqual(names(`{unclosed { brace ${call}`), expected);
  assert.deepEqual(names(`Code:\n\`\`\`js\nconst s = "it's {";\n\`\`\`\n${call}`), expected);
  assert.deepEqual(names(`\`\`\`js\nx = "{"\n\`\`\`\n\`\`\`json\n${call}\n\`\`\``), expected);
  assert.deepEqual(names(`He said "hi {there} ${call}`), expected);
});
