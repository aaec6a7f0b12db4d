// The README's `ts` snippets, and a way to run one as written: the `jsr:@looplet/looplet…`
// specifiers become this checkout's entry points (from deno.json "exports"), nothing else changes.
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** Every ```ts block of README.md, in order. */
export function readmeSnippets(): string[] {
  const readme = Deno.readTextFileSync(new URL("README.md", root));
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

/** The one snippet containing `marker` (fails when none or several do). */
export function snippet(marker: string): string {
  const found = readmeSnippets().filter((code) => code.includes(marker));
  assert.equal(found.length, 1, `README snippets containing ${JSON.stringify(marker)}`);
  return found[0]!;
}

/** Which test runs each snippet, by a marker only that snippet contains. */
export const SNIPPET_RUNNERS: Record<string, string> = {
  noStrangers: "tests/readme_test.ts",
  ProvenanceSink: "tests/readme_test.ts",
  connectMcpServer: "tests/e2e/readme_test.ts",
  probeNativeTools: "tests/e2e/readme_test.ts",
};

function passThrough(): Record<string, string> {
  const names = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "NPM_CONFIG_REGISTRY", "TMPDIR"];
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

function localSpecifiers(code: string): string {
  const { exports } = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root))) as {
    exports: Record<string, string>;
  };
  return code.replace(/"jsr:@looplet\/looplet(\/[a-z]+)?"/g, (_, sub: string | undefined) => {
    const entry = exports[sub === undefined ? "." : `.${sub}`];
    assert.ok(entry, `deno.json has no export "${sub}"`);
    return JSON.stringify(new URL(entry, root).href);
  });
}

/**
 * Run a snippet (type-checked) in a fresh temporary working folder, with a 50 s deadline.
 * `rewrite` may change the code first (e.g. to point a command at a local install).
 */
export async function runSnippet(
  code: string,
  options: { env?: Record<string, string>; rewrite?: (code: string) => string } = {},
): Promise<{ code: number; stdout: string; stderr: string; cwd: string }> {
  const source = localSpecifiers(options.rewrite ? options.rewrite(code) : code);
  // The file sits in tests/ so that deno.json's import map (zod) applies to it.
  const file = await Deno.makeTempFile({
    dir: new URL("tests/", root).pathname,
    suffix: "_readme.ts",
  });
  const cwd = await Deno.makeTempDir({ prefix: "looplet-readme-" });
  try {
    await Deno.writeTextFile(file, source);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--check", "--config", new URL("deno.json", root).pathname, file],
      cwd,
      // Only what Deno needs to find its cache, so a user's OPENAI_* settings cannot leak in.
      env: { ...passThrough(), NO_COLOR: "1", ...options.env },
      clearEnv: true,
      signal: AbortSignal.timeout(50_000),
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr), cwd };
  } finally {
    await Deno.remove(file);
  }
}
