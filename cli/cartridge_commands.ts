/**
 * The cartridge commands: `conform`, `describe`, `diff`, `hash` and
 * `convert` (bundle <-> cartridge). `run`, `blueprint` and `export-code`
 * accept a cartridge through `cartridge/load_agent.ts`.
 *
 * @module
 */
import type { CliContext } from "./types.ts";
import { parseCommand } from "./args.ts";

/** Usage lines of the cartridge commands. */
export const CARTRIDGE_USAGE: Readonly<Record<string, string>> = {
  conform: "usage: looplet conform <cases-dir> [--filter TEXT] [--workspace DIR] [--json]",
  describe: "usage: looplet describe <cartridge> [--json]",
  diff: "usage: looplet diff <cartridge-a> <cartridge-b> [--json]",
  hash: "usage: looplet hash <cartridge> [--files]",
  convert: "usage: looplet convert <bundle-or-cartridge> <out-dir>",
};

/**
 * `looplet conform DIR`: run conformance cases; 0 when every case passes.
 *
 * @param args Arguments after the command.
 * @param context Output and dependencies.
 * @returns The exit code.
 */
export async function commandConform(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommand("conform", args, {
    filter: { type: "string" },
    workspace: { type: "string", short: "w" },
    json: { type: "boolean" },
  }, { min: 1, max: 1, names: "a folder of conformance cases" });
  const { runConformance } = await import("../cartridge/conform.ts");
  const report = await runConformance(positionals[0], {
    ...(values.filter ? { filter: values.filter as string } : {}),
    ...(values.workspace ? { workspace: values.workspace as string } : {}),
  });
  const { io } = context;
  if (values.json) io.stdout(JSON.stringify(report, null, 2));
  else {
    io.stdout(
      `Cartridge Spec v2 conformance: ${report.results.length} case(s) in ${positionals[0]}`,
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
}

/**
 * `looplet describe CARTRIDGE`: what a cartridge declares, on one screen.
 *
 * @param args Arguments after the command.
 * @param context Output and dependencies.
 * @returns The exit code.
 */
export async function commandDescribe(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommand("describe", args, { json: { type: "boolean" } }, {
    min: 1,
    max: 1,
    names: "a cartridge folder",
  });
  const { readCartridge } = await import("../cartridge/read_cartridge.ts");
  const { cartridgeComponents, describeCartridge } = await import(
    "../cartridge/describe_cartridge.ts"
  );
  const definition = await readCartridge(positionals[0]);
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
}

/**
 * `looplet diff A B`: the changed files of two cartridges, by category.
 *
 * @param args Arguments after the command.
 * @param context Output and dependencies.
 * @returns The exit code (0 also when they differ).
 */
export async function commandDiff(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommand("diff", args, { json: { type: "boolean" } }, {
    min: 2,
    max: 2,
    names: "two cartridge folders",
  });
  const { diffCartridges } = await import("../cartridge/diff_cartridges.ts");
  const changes = await diffCartridges(positionals[0], positionals[1]);
  const { io } = context;
  if (values.json) {
    io.stdout(JSON.stringify(changes, null, 2));
    return 0;
  }
  if (changes.length === 0) {
    io.stdout("(no changes)");
    return 0;
  }
  io.stdout(`diff: ${positionals[0]} -> ${positionals[1]}`);
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
}

/**
 * `looplet hash CARTRIDGE`: the spec's content hash (the same digest as the Python looplet's).
 *
 * @param args Arguments after the command.
 * @param context Output and dependencies.
 * @returns The exit code.
 */
export async function commandHash(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommand("hash", args, { files: { type: "boolean" } }, {
    min: 1,
    max: 1,
    names: "a cartridge folder",
  });
  const { cartridgeHash } = await import("../cartridge/cartridge_hash.ts");
  const { stat } = await import("node:fs/promises");
  if (!(await stat(positionals[0]).then((info) => info.isDirectory(), () => false))) {
    throw new Error(`Cannot hash "${positionals[0]}": it is not a folder; pass a cartridge folder`);
  }
  const { digest, files } = await cartridgeHash(positionals[0]);
  context.io.stdout(digest);
  if (values.files) { for (const file of files) context.io.stdout(`${file.sha256}  ${file.path}`); }
  return 0;
}

/**
 * `looplet convert SRC OUT`: a bundle into a cartridge, or a cartridge into a bundle; prints the gaps.
 *
 * @param args Arguments after the command.
 * @param context Output and dependencies.
 * @returns The exit code.
 */
export async function commandConvert(args: string[], context: CliContext): Promise<number> {
  const { positionals } = parseCommand("convert", args, {}, {
    min: 2,
    max: 2,
    names: "a bundle or cartridge folder and an output folder",
  });
  const { isCartridgeFolder } = await import("../cartridge/load_agent.ts");
  const { bundleToCartridge, cartridgeToBundle } = await import("../cartridge/convert.ts");
  const toBundle = await isCartridgeFolder(positionals[0]);
  const result = toBundle
    ? await cartridgeToBundle(positionals[0], positionals[1])
    : await bundleToCartridge(positionals[0], positionals[1]);
  context.io.stdout(
    `converted ${toBundle ? "cartridge" : "bundle"} ${positionals[0]} -> ${
      toBundle ? "bundle" : "cartridge"
    } ${result.target} (${result.written.length} files)`,
  );
  for (const gap of result.gaps) context.io.stdout(`gap: ${gap}`);
  return 0;
}
