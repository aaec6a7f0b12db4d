// Copies the version from deno.json (its one source) to loop/version.ts and packages/cli/deno.json.
// Run with `deno task version:sync` after changing "version" in deno.json.
const root = new URL("../", import.meta.url);
const { version } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
await Deno.writeTextFile(
  new URL("loop/version.ts", root),
  `// Generated from deno.json by \`deno task version:sync\`; tests/version_test.ts checks it.\n` +
    `/** The looplet version (the "version" of deno.json). */\n` +
    `export const LOOPLET_VERSION = ${JSON.stringify(version)};\n`,
);
const cliConfigUrl = new URL("packages/cli/deno.json", root);
const cliConfig = JSON.parse(await Deno.readTextFile(cliConfigUrl));
cliConfig.version = version;
await Deno.writeTextFile(cliConfigUrl, JSON.stringify(cliConfig, null, 2) + "\n");
console.log(`version ${version}: wrote loop/version.ts and packages/cli/deno.json`);
