/**
 * Cartridges: load and run the Python looplet's portable harness format
 * (Cartridge Spec v2) in this runtime, into the same parts a skill bundle
 * builds to. A separate entry point because it loads a YAML parser:
 * `import { buildCartridge, readCartridge } from "jsr:@looplet/looplet/cartridge"`.
 *
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { buildCartridge, readCartridge } from "jsr:@looplet/looplet/cartridge";
 *
 * const agent = await buildCartridge(await readCartridge("hello_portable.cartridge"));
 * try {
 *   for await (const step of composableLoop(agent.loopOptions(llm, "Greet Ada"))) {
 *     console.log(step.pretty());
 *   }
 * } finally {
 *   await agent.close();
 * }
 * ```
 *
 * ## What is loaded
 *
 * - `cartridge.json` (or the legacy `workspace.json`; `cartridge.json` wins),
 *   `config.yaml` (CONTRACT tier) and `runtime.yaml` (RUNTIME tier), merged
 *   down the `extends:` chain (mappings merge recursively, scalars and lists
 *   are replaced; tools, hooks, resources, prompts and memory files are
 *   layered by name, the child winning).
 * - The reference grammar in every YAML string: `${runtime.a.b}`,
 *   `${runtime.x:-default}` (a default is read as a YAML scalar, so
 *   `${runtime.steps:-15}` is the number 15), `${ref:name}` and `@name`.
 *   `python_executable` (default `python3`), `workspace` and
 *   `cartridge_root` are always defined; `cartridge_root` is the folder of
 *   the cartridge whose file holds the reference, so a parent's
 *   `${runtime.cartridge_root}/_mcp/server.py` still points into the parent.
 * - Tools: `tools/<name>/tool.yaml` with `execute.py` (run under `python3`
 *   as a subprocess per call: JSON arguments in, the JSON return value out;
 *   `ctx.resources` holds `runtime`, state-service proxies and
 *   `resources/<name>.py` builds for the names in `requires:`, rebuilt for
 *   each call; `ctx.llm` reaches the host model over MGP), or with
 *   `command:` (a looplet extension for bodies in any language: JSON on
 *   stdin, one JSON value on stdout), or the single-file `tools/<name>.py`.
 *   A done tool without a body returns its arguments. When no tool has the
 *   `done_tool` name, the host adds one taking `summary`, as the Python
 *   looplet does.
 * - `parameters:` is a JSON Schema when it has `type: object` and
 *   `properties`; otherwise a mapping of argument names to a schema (required
 *   unless it has `default`, `optional: true` or `required: false`) or to a
 *   description string (a string argument, required unless the description
 *   starts with "(optional)").
 * - `hooks/NN_<name>/config.yaml` with `kind: lep` runs an LEP server
 *   ({@linkcode lepHook}); a `hook.py` class is refused
 *   (`CartridgeLanguageError`): only a Python host can import it.
 * - `builtin_tools:` `think`; `builtin_hooks:` `stagnation`,
 *   `per_tool_limit`, `threshold_compact`, `static_briefing`,
 *   `recovery_hint`. Other names are refused with the list.
 * - `permissions:` become a `permissionHook` whose rules are every `deny:`
 *   rule, then `ask:`, then `allow:` (the first match wins, so a deny is
 *   never shadowed by an allow); `contains:` is a substring test and
 *   `matches:` an equality test on the named argument. `ask:` rules need an
 *   `ask` handler, else the load fails (`CartridgePermissionError`).
 * - `model:` wins over `runtime.yaml`'s flat `max_tokens` / `temperature`.
 * - `output_schema:` on the done tool is checked by a `checkDone` hook; a
 *   mismatch rejects `done` and the model reads why.
 * - `mcp_servers:` connect over stdio with their tools unprefixed (`tools:`
 *   allow-lists them); `state_services:` start SSP servers
 *   ({@linkcode startStateServices}); an MGP gateway
 *   ({@linkcode startModelGateway}) serves the run's backend. Every child
 *   gets `LOOPLET_LLM_SOCKET`, `LOOPLET_STATE_<NAME>`, `LOOPLET_WORKSPACE`
 *   and `LOOPLET_CARTRIDGE_ROOT`.
 *
 * ## Where the upstream documents disagree, this host
 *
 * - refuses `schema_version: 1` (SPEC.md says v1 still loads; the Python
 *   loader refuses it): a cartridge that loads here loads there, and the
 *   error says to run the Python `looplet migrate`;
 * - refuses `${py:module:symbol}` everywhere (one SPEC.md passage still
 *   requires it; the v2 removals forbid it);
 * - puts `memory/long_term.md` into the prompt once and counts it once in
 *   `memory_source_count` (the Python runtime injects it twice);
 * - follows SPEC.md v2 over the older `cartridge.schema.json`
 *   (`schema_version: 2`, no RUNTIME keys in `config.yaml`), and the wire
 *   formats of `protocols.md` for LEP, SSP and MGP.
 *
 * ## Rejections
 *
 * Every rejection is one {@linkcode CartridgeError} line, `file: field:
 * what is wrong; the fix`, whose subclass names the spec category:
 * manifest, version, language, tier (a RUNTIME key in `config.yaml`),
 * removed (`setup.py`, undeclared `prompts/briefing.md` or
 * `prompts/recovery.md`, tool `tags:`, single-file `__requires__`,
 * `__render__`, `__tags__`, `${py:}`, `done_tools:`), slot, reference,
 * extends, permission, protocol.
 *
 * @module
 */
export {
  CartridgeError,
  CartridgeExtendsError,
  CartridgeLanguageError,
  CartridgeManifestError,
  CartridgePermissionError,
  CartridgeProtocolError,
  CartridgeReferenceError,
  CartridgeRemovedError,
  CartridgeSlotError,
  CartridgeTierError,
  CartridgeVersionError,
  formatCartridgeProblem,
} from "./cartridge_error.ts";
export type { CartridgeErrorCategory, CartridgeProblem } from "./cartridge_error.ts";
export {
  BUILTIN_HOOK_NAMES,
  BUILTIN_TOOL_NAMES,
  CARTRIDGE_SCHEMA_VERSION,
  readCartridge,
} from "./read_cartridge.ts";
export type {
  CartridgeBuiltin,
  CartridgeDefinition,
  CartridgeLepHook,
  CartridgeManifest,
  CartridgeMemory,
  CartridgePermissionRule,
  CartridgePermissions,
  CartridgeServer,
  CartridgeTool,
  CartridgeToolBody,
  ReadCartridgeOptions,
} from "./read_cartridge.ts";
export { buildCartridge } from "./build_cartridge.ts";
export type { BuildCartridgeOptions, BuiltCartridge } from "./build_cartridge.ts";
export { effectFromWire, LEP_VERSION, lepHook } from "./lep_hook.ts";
export type { LepEffect, LepHook, LepHookOptions } from "./lep_hook.ts";
export { startStateServices } from "./state_services.ts";
export type { StateServices, StateServiceSpec } from "./state_services.ts";
export { MGP_VERSION, startModelGateway } from "./model_gateway.ts";
export type { ModelGateway } from "./model_gateway.ts";
export { cartridgeHash, HASH_EXCLUDED_NAMES, HASH_EXCLUDED_SUFFIXES } from "./cartridge_hash.ts";
export type { CartridgeHash } from "./cartridge_hash.ts";
export { cartridgeSummary, runConformance } from "./conform.ts";
export type {
  CartridgeSummary,
  ConformanceOptions,
  ConformanceReport,
  ConformanceResult,
} from "./conform.ts";
export { cartridgeComponents, describeCartridge } from "./describe_cartridge.ts";
export type { CartridgeComponent } from "./describe_cartridge.ts";
export { CARTRIDGE_CATEGORIES, cartridgeCategory, diffCartridges } from "./diff_cartridges.ts";
export type { CartridgeChange } from "./diff_cartridges.ts";
export {
  agentScriptedResponses,
  buildAgent,
  isCartridgeFolder,
  loadCartridgeOrBundle,
} from "./load_agent.ts";
export type { AgentSource, BuiltAgentSource } from "./load_agent.ts";
export { bundleToCartridge, cartridgeToBundle } from "./convert.ts";
export type { Conversion } from "./convert.ts";
export { agentBlueprintOf, cartridgeBlueprint } from "./cartridge_blueprint.ts";
export {
  exportAgentCode,
  exportCartridgeCode,
  materializeCartridge,
} from "./export_cartridge_code.ts";
