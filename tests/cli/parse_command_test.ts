import assert from "node:assert/strict";
import { parseCommand, UsageError } from "../../cli/args.ts";

const OPTIONS = {
  workspace: { type: "string", short: "w" },
  json: { type: "boolean" },
  tag: { type: "string", multiple: true },
} as const;
const ONE = { min: 1 as const, max: 1, names: "a bundle" };

function parsed(args: string[]) {
  const { values, positionals } = parseCommand("x", args, OPTIONS, ONE);
  return { values, positionals };
}

Deno.test("parseCommand() reads long, short, inline, repeated and boolean flags", () => {
  assert.deepEqual(parsed(["b", "--workspace", "w1", "--json", "--tag=a", "--tag", "b"]), {
    values: { workspace: "w1", json: true, tag: ["a", "b"] },
    positionals: ["b"],
  });
  assert.deepEqual(parsed(["-w", "dir", "--", "--json"]), {
    values: { workspace: "dir" },
    positionals: ["--json"],
  });
  const { arg } = parseCommand("x", ["b"], OPTIONS, ONE);
  assert.equal(arg(0), "b");
  assert.throws(() => arg(1), /'x' needs a bundle/);
  assert.deepEqual(parseCommand("x", ["b", "--debug"], OPTIONS, ONE).values, { debug: true });
});

Deno.test("parseCommand() throws usage errors for unknown flags, missing values and counts", () => {
  const cases: [string[], RegExp][] = [
    [["b", "--nope"], /unknown option '--nope'/],
    [["b", "--jsn"], /unknown option '--jsn'; did you mean '--json'\?/],
    [["b", "-z"], /unknown option '-z'/],
    [["b", "--workspace"], /option '--workspace' needs a value/],
    [["b", "--json=yes"], /option '--json' does not take a value/],
    [[], /'x' needs a bundle/],
    [["a", "b"], /'x' got unexpected argument "b"/],
  ];
  for (const [args, pattern] of cases) {
    assert.throws(() => parseCommand("x", args, OPTIONS, ONE), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, pattern);
      return true;
    });
  }
});
