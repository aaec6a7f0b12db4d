import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, runDeno } from "./_process.ts";

const python = new Deno.Command("python3", { args: ["--version"], stdout: "null", stderr: "null" })
  .outputSync().success;
const pytest = python &&
  new Deno.Command("python3", {
    args: ["-m", "pytest", "--version"],
    stdout: "null",
    stderr: "null",
  })
    .outputSync().success;
const TEST_COMMAND = pytest ? "python3 -m pytest -q" : "python3 -m unittest";

const call = (tool: string, args: Record<string, unknown>) => JSON.stringify({ tool, args });

Deno.test({
  name: `the coder fixes a failing Python project, verified by --test-command "${TEST_COMMAND}"`,
  ignore: !python,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "looplet-python-" });
    const project = join(root, "project");
    await Deno.mkdir(project);
    await Deno.writeTextFile(
      join(project, "stats.py"),
      "def mean(values):\n    return sum(values) / (len(values) + 1)\n",
    );
    await Deno.writeTextFile(
      join(project, "test_stats.py"),
      "import unittest\nfrom stats import mean\n\n\nclass MeanTest(unittest.TestCase):\n    def test_mean(self):\n        self.assertEqual(mean([1, 2, 3]), 2)\n\n\nif __name__ == '__main__':\n    unittest.main()\n",
    );
    try {
      const replies = [
        call("bash", { command: TEST_COMMAND }),
        call("done", { answer: "Looks fine" }), // refused: the tests still fail
        call("edit_file", {
          path: "stats.py",
          old_string: "(len(values) + 1)",
          new_string: "len(values)",
        }),
        call("bash", { command: TEST_COMMAND }),
        call("done", { answer: "Fixed mean(): it divided by len + 1" }),
      ].flatMap((reply) => ["--scripted-response", reply]);
      const run = await runDeno([
        "run",
        "-A",
        CLI,
        "run",
        "coder",
        "Fix the failing test",
        "--workspace",
        project,
        "--no-trace",
        "--test-command",
        TEST_COMMAND,
        ...replies,
      ]);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, new RegExp(`#1 ✗ \\$ ${TEST_COMMAND} → exit 1`));
      assert.match(
        run.stdout,
        /#2 ✗ done\(answer=Looks fine\) → ERROR: Done rejected: Tests have not passed yet: `python3 -m/,
      );
      assert.match(run.stdout, new RegExp(`#4 ✓ \\$ ${TEST_COMMAND} → exit 0`));
      assert.match(run.stdout, /✓ done in 5 steps: Fixed mean\(\)/);
      assert.equal(
        await Deno.readTextFile(join(project, "stats.py")),
        "def mean(values):\n    return sum(values) / len(values)\n",
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
