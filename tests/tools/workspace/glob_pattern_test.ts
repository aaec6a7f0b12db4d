import assert from "node:assert/strict";
import { globToRegExp } from "../../../tools/workspace/_walk.ts";

const CASES: [pattern: string, path: string, matches: boolean][] = [
  ["src/{*.ts,*.md}", "src/a.ts", true],
  ["src/{*.ts,*.md}", "src/b.md", true],
  ["src/{*.ts,*.md}", "src/c.js", false],
  ["src/{*.ts,*.md}", "src/deep/a.ts", false],
  ["**/*.{ts,tsx}", "a/b/c.tsx", true],
  ["{a,{b,c}}.ts", "c.ts", true],
  ["[ab].txt", "a.txt", true],
  ["[ab].txt", "notes/b.txt", true],
  ["[ab].txt", "c.txt", false],
  ["[ab].txt", "[ab].txt", false],
  ["[!ab].txt", "c.txt", true],
  ["[!ab].txt", "a.txt", false],
  ["file[0-9].ts", "dir/file7.ts", true],
  ["file[0-9].ts", "dir/filex.ts", false],
  ["src/[", "src/[", true],
  ["{x", "{x", true],
];

for (const [pattern, path, matches] of CASES) {
  Deno.test(`globToRegExp("${pattern}") ${matches ? "matches" : "does not match"} "${path}"`, () => {
    assert.equal(globToRegExp(pattern).test(path), matches);
  });
}
