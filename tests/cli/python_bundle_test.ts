import assert from "node:assert/strict";
import { cli, skillMd, tempFolder } from "../bundles/_helpers.ts";

const PY = "def build(runtime):\n    return None\n";

Deno.test("a bundle with a looplet.py entrypoint is refused with one line by run, blueprint and export-code, and listed invalid", async () => {
  const implicit = await tempFolder({
    "SKILL.md": skillMd("name: py-default\ndescription: Python bundle"),
    "looplet.py": PY,
  });
  const explicit = await tempFolder({
    "SKILL.md": skillMd("name: py-named\ndescription: Python bundle\nentrypoint: agent.py"),
    "agent.py": PY,
  });
  const bundles: [string, string][] = [[implicit, "looplet.py"], [explicit, "agent.py"]];
  for (const [root, file] of bundles) {
    const reason = new RegExp(
      `^error: .*SKILL\\.md: (entrypoint: )?'entrypoint' "${file}" is a Python module \\(a bundle for the Python looplet\\), which this CLI does not run; port its build\\(runtime\\) to looplet\\.ts$`,
    );
    for (
      const args of [["run", root, "go", "--scripted-response", "x"], ["blueprint", root], [
        "export-code",
        root,
        `${await tempFolder()}/out.ts`,
      ]]
    ) {
      const { code, err } = await cli(args);
      assert.equal(code, 1, args.join(" "));
      assert.match(err, reason, args.join(" "));
      assert.doesNotMatch(err, /SyntaxError/);
    }
  }
  const listed = await cli(["list-bundles", implicit, explicit, "--include-invalid"]);
  assert.equal(listed.code, 0);
  assert.match(listed.out, /^py-default\tinvalid\t/m);
  assert.match(listed.out, /^py-named\tinvalid\t/m);
  assert.match(listed.out, / {2}- .*'entrypoint' "looplet\.py" is a Python module/);
  assert.match(listed.out, / {2}- .*'entrypoint' "agent\.py" is a Python module/);
  const hidden = await cli(["list-bundles", implicit]);
  assert.equal(hidden.out, "no bundles found");
});

Deno.test("a looplet.ts beside a looplet.py is the entrypoint", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: both\ndescription: d"),
    "looplet.py": PY,
    "looplet.ts": "export function build() { return {}; }",
  });
  const { code, err } = await cli([
    "run",
    root,
    "go",
    "--scripted-response",
    '{"tool": "done", "args": {"answer": "ok"}}',
  ]);
  assert.equal(code, 0, err);
});
