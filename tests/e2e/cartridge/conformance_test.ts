import assert from "node:assert/strict";
import { cp } from "node:fs/promises";
import { runConformance } from "../../../cartridge/mod.ts";
import { CASES } from "./_helpers.ts";

Deno.test({
  name: "runConformance() passes every case of tests/fixtures/cartridges",
  sanitizeResources: true,
  async fn() {
    const report = await runConformance(CASES);
    const failed = report.results.filter((result) => !result.ok);
    assert.deepEqual(failed, []);
    assert.ok(report.passed >= 20, `only ${report.passed} cases`);
    const kinds = new Set(report.results.map((result) => result.kind));
    assert.deepEqual([...kinds].sort(), ["error", "summary", "trajectory"]);
  },
});

Deno.test("runConformance() fails a trajectory case whose expected result is wrong", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await cp(`${CASES}/21_python_tool_trajectory`, `${dir}/21_python_tool_trajectory`, {
      recursive: true,
    });
    const file = `${dir}/21_python_tool_trajectory/expected_trajectory.json`;
    const steps = JSON.parse(await Deno.readTextFile(file));
    steps[1].result = { result: 9 };
    await Deno.writeTextFile(file, JSON.stringify(steps));
    // The shared servers are one level up from the case folder in the fixtures; copy them too.
    await cp(`${CASES}/_servers`, `${dir}/_servers`, { recursive: true });
    const report = await runConformance(dir);
    assert.equal(report.failed, 1);
    assert.match(
      report.results[0]?.detail.join("\n") ?? "",
      /step 2: result \{"result":8\}, expected \{"result":9\}/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
