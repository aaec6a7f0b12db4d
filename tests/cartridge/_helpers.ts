// Helpers for the hermetic cartridge tests: write small cartridges into temporary folders.
import { dirname, join } from "node:path";

/** Write `files` (path → text) under a fresh temporary folder; returns the folder. */
export async function cartridgeFolder(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "looplet-cartridge-test-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

/** A minimal valid manifest. */
export const MANIFEST: string = JSON.stringify({ name: "probe", schema_version: 2 });
