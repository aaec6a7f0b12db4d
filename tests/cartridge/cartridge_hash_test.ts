import assert from "node:assert/strict";
import { cartridgeHash } from "../../cartridge/mod.ts";
import { cartridgeFolder } from "./_helpers.ts";

// The digest below was computed by hand from the spec's algorithm with coreutils:
//   for f in Zeta.txt a.txt sub/b.txt tools/x/empty.md; do
//     printf '%s\0%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"; done | sha256sum
// (the paths sorted by code point; __pycache__/, seed/ and *.pyc skipped).
const EXPECTED = "37eabc35969ac7c857bd8e1d0e0248d63b67e3bed19e6b48c72dbac239114498";

Deno.test("cartridgeHash() folds sorted (path, sha256) pairs and skips the spec's exclusions", async () => {
  const root = await cartridgeFolder({
    "a.txt": "hello\n",
    "sub/b.txt": "B",
    "__pycache__/m.pyc": "x",
    "seed/s.txt": "data",
    "c.pyc": "compiled",
    "tools/x/empty.md": "",
    "Zeta.txt": "Z",
  });
  try {
    const { digest, files } = await cartridgeHash(root);
    assert.equal(digest, EXPECTED);
    assert.deepEqual(files.map((file) => file.path), [
      "Zeta.txt",
      "a.txt",
      "sub/b.txt",
      "tools/x/empty.md",
    ]);
    assert.equal(
      files[1]?.sha256,
      "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cartridgeHash() changes when a content file changes, not when seed/ does", async () => {
  const root = await cartridgeFolder({ "a.txt": "one", "seed/data.json": "{}" });
  try {
    const before = (await cartridgeHash(root)).digest;
    await Deno.writeTextFile(`${root}/seed/data.json`, '{"changed": true}');
    assert.equal((await cartridgeHash(root)).digest, before);
    await Deno.writeTextFile(`${root}/a.txt`, "two");
    assert.notEqual((await cartridgeHash(root)).digest, before);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cartridgeHash() counts a link to a file by its target's bytes and skips a linked folder", async () => {
  const root = await cartridgeFolder({ "a.txt": "hello\n", "outside/b.txt": "B" });
  const linked = await cartridgeFolder({ "a.txt": "hello\n" });
  try {
    await Deno.symlink(`${root}/a.txt`, `${linked}/link.txt`);
    await Deno.symlink(`${root}/outside`, `${linked}/folder`);
    const { files } = await cartridgeHash(linked);
    assert.deepEqual(files.map((file) => file.path), ["a.txt", "link.txt"]);
    assert.equal(files[0]?.sha256, files[1]?.sha256);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(linked, { recursive: true });
  }
});
