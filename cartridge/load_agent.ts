import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Backend } from "../loop/types.ts";
import type { ScriptedResponse } from "../backends/scripted.ts";
import {
  buildBundle,
  type BuildBundleOptions,
  type BuiltAgent,
  bundleScriptedResponses,
  loadBundle,
  type LoadedBundle,
} from "../bundles/load_bundle.ts";
import { CartridgeSlotError } from "./cartridge_error.ts";
import { type CartridgeDefinition, readCartridge } from "./read_cartridge.ts";
import { buildCartridge, type BuildCartridgeOptions } from "./build_cartridge.ts";

/**
 * An agent folder: a cartridge or a skill bundle.
 *
 * @example Branch on the kind
 * ```ts ignore
 * const source = await loadCartridgeOrBundle("hello.cartridge");
 * console.log(source.kind === "cartridge" ? source.definition.manifest.name : source.bundle.name);
 * ```
 */
export type AgentSource =
  | {
    readonly kind: "cartridge";
    readonly name: string;
    readonly definition: CartridgeDefinition;
    readonly warnings: readonly string[];
  }
  | {
    readonly kind: "bundle";
    readonly name: string;
    readonly bundle: LoadedBundle;
    readonly warnings: readonly string[];
  };

/**
 * A built agent from either kind of folder: a bundle's parts, plus what a
 * cartridge adds (its model settings and the backend its model gateway serves).
 *
 * @example Use the cartridge extras when present
 * ```ts ignore
 * const agent = await buildAgent(source, { workspace: "." });
 * agent.bindBackend(llm);
 * composableLoop({ llm, task, tools: agent.tools, hooks: agent.hooks, maxTokens: agent.maxTokens });
 * ```
 */
export interface BuiltAgentSource extends BuiltAgent {
  /** Output token limit the cartridge asks for. */
  readonly maxTokens?: number;
  /** Temperature the cartridge asks for. */
  readonly temperature?: number;
  /** Bind the run's backend (serves it over MGP for cartridges; no-op for bundles). */
  bindBackend(llm: Backend): void;
}

/**
 * True when a folder holds a cartridge (`cartridge.json` or the legacy
 * `workspace.json`) and no bundle `SKILL.md`.
 *
 * @param path A folder.
 * @returns Whether to read it as a cartridge.
 * @example Tell a cartridge from a bundle
 * ```ts ignore
 * if (await isCartridgeFolder("hello.cartridge")) console.log("a cartridge");
 * ```
 */
export async function isCartridgeFolder(path: string): Promise<boolean> {
  const file = (name: string) => stat(join(path, name)).then((info) => info.isFile(), () => false);
  if (await file("SKILL.md")) return false;
  return await file("cartridge.json") || await file("workspace.json");
}

/**
 * Load whatever agent folder the CLI was given: a cartridge (read and
 * validated) or a skill bundle (loaded as `loadBundle` does).
 *
 * @param path The folder.
 * @param options Workspace and runtime values for cartridge references.
 * @returns The source.
 * @throws {CartridgeError} For an invalid cartridge.
 * @throws {BundleError} For an invalid bundle.
 * @example Load the folder the user named
 * ```ts ignore
 * const source = await loadCartridgeOrBundle(process.argv[2]);
 * ```
 */
export async function loadCartridgeOrBundle(
  path: string,
  options: { workspace?: string; runtime?: Readonly<Record<string, unknown>> } = {},
): Promise<AgentSource> {
  if (await isCartridgeFolder(path)) {
    const definition = await readCartridge(path, options);
    return {
      kind: "cartridge",
      name: definition.manifest.name,
      definition,
      warnings: definition.warnings,
    };
  }
  const bundle = await loadBundle(path);
  return { kind: "bundle", name: bundle.name, bundle, warnings: bundle.warnings };
}

/**
 * Build an agent source: `buildCartridge` or `buildBundle`.
 *
 * @param source What `loadCartridgeOrBundle` returned.
 * @param options Bundle options (workspace, budget, options, MCP `connect`) and cartridge options (ask handler).
 * @returns The built agent; call `close()` when done.
 * @example Build whatever was loaded
 * ```ts ignore
 * const agent = await buildAgent(await loadCartridgeOrBundle("hello.cartridge"), { workspace: "." });
 * ```
 */
export async function buildAgent(
  source: AgentSource,
  options: BuildBundleOptions & Pick<BuildCartridgeOptions, "ask"> = {},
): Promise<BuiltAgentSource> {
  if (source.kind === "cartridge") {
    return await buildCartridge(source.definition, {
      ...(options.workspace !== undefined ? { workspace: options.workspace } : {}),
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.options !== undefined ? { runtime: options.options } : {}),
      ...(options.ask !== undefined ? { ask: options.ask } : {}),
    });
  }
  const agent = await buildBundle(source.bundle, options);
  return { ...agent, bindBackend: () => {} };
}

/**
 * The scripted replies of an agent source: a bundle's, or a cartridge's
 * `scripted.json` (a looplet host extension: a list of replies, as in bundles).
 *
 * @param source What `loadCartridgeOrBundle` returned.
 * @returns The replies.
 * @throws {CartridgeSlotError} When a cartridge has no valid `scripted.json`.
 * @example Replay an agent's scripted replies
 * ```ts ignore
 * const llm = new ScriptedBackend(await agentScriptedResponses(source));
 * ```
 */
export async function agentScriptedResponses(source: AgentSource): Promise<ScriptedResponse[]> {
  if (source.kind === "bundle") return await bundleScriptedResponses(source.bundle);
  const file = join(source.definition.root, "scripted.json");
  const display = `${source.definition.displayRoot}/scripted.json`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CartridgeSlotError({
      file: display,
      message: (error as { code?: string }).code === "ENOENT"
        ? "does not exist"
        : `is not valid JSON (${(error as Error).message})`,
      fix: "add scripted.json (a list of replies), or pass --scripted-response",
    });
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new CartridgeSlotError({
      file: display,
      message: "must be a non-empty list of replies",
      fix: 'write e.g. [{"toolCalls": [{"name": "done", "args": {"summary": "ok"}}]}]',
    });
  }
  return value as ScriptedResponse[];
}
