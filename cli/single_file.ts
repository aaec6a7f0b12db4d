/**
 * Entry of the single-file build (`deno task bundle`): the CLI with every
 * command module imported through static `import()` calls, so the bundler
 * inlines them. Not published; the source CLI loads them lazily instead.
 *
 * @module
 */
import { main, setModuleLoader } from "../cli.ts";

const TABLE: Record<string, () => Promise<unknown>> = {
  "./cli_run.ts": () => import("../cli_run.ts"),
  "./bundles/bundle_blueprint.ts": () => import("../bundles/bundle_blueprint.ts"),
  "./bundles/blueprint.ts": () => import("../bundles/blueprint.ts"),
  "./bundles/export_bundle_code.ts": () => import("../bundles/export_bundle_code.ts"),
  "./bundles/package_factory.ts": () => import("../bundles/package_factory.ts"),
  "./bundles/wrap_claude_skill.ts": () => import("../bundles/wrap_claude_skill.ts"),
  "./bundles/discover_bundles.ts": () => import("../bundles/discover_bundles.ts"),
  "./bundles/scaffold_bundle.ts": () => import("../bundles/scaffold_bundle.ts"),
  "./bundles/doctor_checks.ts": () => import("../bundles/doctor_checks.ts"),
  "./bundles/builtin_bundle.ts": () => import("../bundles/builtin_bundle.ts"),
  "./cli_wiring.ts": () => import("../cli_wiring.ts"),
};

setModuleLoader((path) => {
  const load = TABLE[path];
  if (!load) {
    throw new Error(`single-file build: no module "${path}"; add it to cli/single_file.ts`);
  }
  return load();
});

export { main };
