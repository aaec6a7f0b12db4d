/**
 * The cartridge commands: `conform`, `describe`, `diff`, `hash` and
 * `convert` (bundle <-> cartridge). `run`, `blueprint` and `export-code`
 * accept a cartridge through `cartridge/load_agent.ts`.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * `looplet conform <cases-dir>`: run conformance cases; 0 when every case passes.
 *
 * @example
 * ```ts ignore
 * await main(["conform", "tests/fixtures/cartridges", "--filter", "reject"]);
 * ```
 */
const CONFORM: CommandSpec = {
  name: "conform",
  usage: "<cases-dir>",
  summary:
    "Run Cartridge Spec v2 conformance cases (each a folder with cartridge/ and its expected result); exit 1 when any fails.",
  options: {
    filter: {
      type: "string",
      value: "TEXT",
      description: "only the cases whose folder name includes TEXT",
    },
    workspace: {
      type: "string",
      short: "w",
      value: "DIR",
      description: "where tools and servers run",
      default: "each case's folder",
    },
    json: { type: "boolean", description: "print the report as JSON" },
  },
  positionals: { min: 1, max: 1, names: "a folder of conformance cases" },
  async run({ values, arg }, context) {
    const { runConformance } = await import("../cartridge/conform.ts");
    const report = await runConformance(arg(0), {
      ...(values.filter ? { filter: values.filter as string } : {}),
      ...(values.workspace ? { workspace: values.workspace as string } : {}),
    });
    const { io } = context;
    if (values.json) io.stdout(JSON.stringify(report, null, 2));
    else {
      io.stdout(
        `Cartridge Spec v2 conformance: ${report.results.length} case(s) in ${arg(0)}`,
      );
      for (const result of report.results) {
        io.stdout(`  ${result.ok ? "PASS" : "FAIL"} ${result.name} (${result.kind})`);
        for (const line of result.detail) io.stdout(`       - ${line}`);
      }
      io.stdout(
        report.failed === 0
          ? `all ${report.passed} case(s) passed`
          : `${report.failed} of ${report.results.length} case(s) failed`,
      );
    }
    return report.failed === 0 ? 0 : 1;
  },
};

/**
 * `looplet describe <cartridge>`: what a cartridge declares, on one screen.
 *
 * @example
 * ```ts ignore
 * await main(["describe", "my_agent.cartridge"]);
 * ```
 */
const DESCRIBE: CommandSpec = {
  name: "describe",
  usage: "<cartridge>",
  summary:
    "Summarise a cartridge: tools, hooks, servers, state services, memory and its portability profile.",
  options: { json: { type: "boolean", description: "print the declaration as JSON" } },
  positionals: { min: 1, max: 1, names: "a cartridge folder" },
  async run({ values, arg }, context) {
    const { readCartridge } = await import("../cartridge/read_cartridge.ts");
    const { cartridgeComponents, describeCartridge } = await import(
      "../cartridge/describe_cartridge.ts"
    );
    const definition = await readCartridge(arg(0));
    if (values.json) {
      const { components, profile } = cartridgeComponents(definition);
      context.io.stdout(JSON.stringify(
        {
          name: definition.manifest.name,
          description: definition.manifest.description ?? "",
          max_steps: definition.maxSteps,
          done_tool: definition.doneTool,
          tools: definition.tools.map((spec) => ({
            name: spec.name,
            body: spec.body.kind,
            requires: spec.requires,
          })),
          hooks: definition.hooks.map((hook) => ({
            name: hook.name,
            kind: "lep",
            on_failure: hook.onFailure,
          })),
          builtin_hooks: definition.builtinHooks.map((entry) => entry.name),
          mcp_servers: definition.mcpServers.map((server) => server.name),
          state_services: definition.stateServices.map((service) => service.name),
          profile,
          components,
          warnings: definition.warnings,
        },
        null,
        2,
      ));
    } else {
      for (const line of describeCartridge(definition)) context.io.stdout(line);
    }
    return 0;
  },
};

/**
 * `looplet diff <a> <b>`: the changed files of two cartridges, by category (exit 0 also when they differ).
 *
 * @example
 * ```ts ignore
 * await main(["diff", "v1.cartridge", "v2.cartridge"]);
 * ```
 */
const DIFF: CommandSpec = {
  name: "diff",
  usage: "<cartridge-a> <cartridge-b>",
  summary:
    "List the files that differ between two cartridges, by category (prompt, tool, hook, ...).",
  options: { json: { type: "boolean", description: "print the changes as JSON" } },
  positionals: { min: 2, max: 2, names: "two cartridge folders" },
  async run({ values, arg }, context) {
    const { diffCartridges } = await import("../cartridge/diff_cartridges.ts");
    const changes = await diffCartridges(arg(0), arg(1));
    const { io } = context;
    if (values.json) {
      io.stdout(JSON.stringify(changes, null, 2));
      return 0;
    }
    if (changes.length === 0) {
      io.stdout("(no changes)");
      return 0;
    }
    io.stdout(`diff: ${arg(0)} -> ${arg(1)}`);
    let category = "";
    for (const change of changes) {
      if (change.category !== category) {
        category = change.category;
        io.stdout(`${category} (${changes.filter((item) => item.category === category).length})`);
      }
      const mark = change.change === "added" ? "+" : change.change === "removed" ? "-" : "~";
      io.stdout(`  ${mark} ${change.path.padEnd(48)} ${change.delta}`);
    }
    return 0;
  },
};

/**
 * `looplet hash <cartridge>`: the spec's content hash (the same digest as the Python looplet's).
 *
 * @example
 * ```ts ignore
 * await main(["hash", "my_agent.cartridge", "--files"]);
 * ```
 */
const HASH: CommandSpec = {
  name: "hash",
  usage: "<cartridge>",
  summary:
    "Print a cartridge's content hash (the spec's identity digest, the same as the Python looplet's).",
  options: { files: { type: "boolean", description: "also print each file's sha256 and path" } },
  positionals: { min: 1, max: 1, names: "a cartridge folder" },
  async run({ values, arg }, context) {
    const { cartridgeHash } = await import("../cartridge/cartridge_hash.ts");
    const { stat } = await import("node:fs/promises");
    if (!(await stat(arg(0)).then((info) => info.isDirectory(), () => false))) {
      throw new Error(
        `Cannot hash "${arg(0)}": it is not a folder; pass a cartridge folder`,
      );
    }
    const { digest, files } = await cartridgeHash(arg(0));
    context.io.stdout(digest);
    if (values.files) {
      for (const file of files) {
        context.io.stdout(`${file.sha256}  ${file.path}`);
      }
    }
    return 0;
  },
};

/**
 * `looplet convert <src> <out-dir>`: a bundle into a cartridge, or a cartridge into a bundle; prints the gaps.
 *
 * @example
 * ```ts ignore
 * await main(["convert", "my_agent.cartridge", "skills/my_agent"]);
 * ```
 */
const CONVERT: CommandSpec = {
  name: "convert",
  usage: "<bundle-or-cartridge> <out-dir>",
  summary:
    "Turn a bundle into a cartridge, or a cartridge into a bundle, and list what does not carry over.",
  options: {},
  positionals: { min: 2, max: 2, names: "a bundle or cartridge folder and an output folder" },
  async run({ arg }, context) {
    const { isCartridgeFolder } = await import("../cartridge/load_agent.ts");
    const { bundleToCartridge, cartridgeToBundle } = await import("../cartridge/convert.ts");
    const toBundle = await isCartridgeFolder(arg(0));
    const result = toBundle
      ? await cartridgeToBundle(arg(0), arg(1))
      : await bundleToCartridge(arg(0), arg(1));
    context.io.stdout(
      `converted ${toBundle ? "cartridge" : "bundle"} ${arg(0)} -> ${
        toBundle ? "bundle" : "cartridge"
      } ${result.target} (${result.written.length} files)`,
    );
    for (const gap of result.gaps) context.io.stdout(`gap: ${gap}`);
    return 0;
  },
};

/**
 * The cartridge commands by name, for the command table of `cli/main.ts`.
 *
 * @example
 * ```ts ignore
 * const { command } = { command: CARTRIDGE_COMMANDS.hash };
 * ```
 */
export const CARTRIDGE_COMMANDS: Readonly<
  Record<"conform" | "describe" | "diff" | "hash" | "convert", CommandSpec>
> = { conform: CONFORM, describe: DESCRIBE, diff: DIFF, hash: HASH, convert: CONVERT };
