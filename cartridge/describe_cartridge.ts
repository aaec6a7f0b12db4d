import { HONOURED_RUNTIME_KEYS } from "./_tiers.ts";
import type { CartridgeDefinition } from "./read_cartridge.ts";

/**
 * Where each component of a cartridge runs, by the portability tiers of the
 * spec: `protocol` (data, MCP tools, LEP hooks, SSP services), `stdlib`
 * (built-ins), `inprocess` (Python bodies and author-owned resources, which
 * pin the cartridge to a Python interpreter: here they run under python3 as
 * subprocesses).
 *
 * @example The components of a cartridge
 * ```ts
 * import type { CartridgeComponent } from "jsr:@looplet/looplet/cartridge";
 * const component: CartridgeComponent = { kind: "tool", name: "greet", tier: "inprocess", where: "tools/greet/execute.py" };
 * ```
 */
export interface CartridgeComponent {
  /** What it is. */
  readonly kind: "tool" | "hook" | "mcp_server" | "state_service" | "resource" | "memory";
  /** Its name. */
  readonly name: string;
  /** Its portability tier. */
  readonly tier: "protocol" | "stdlib" | "inprocess";
  /** Where it is declared. */
  readonly where: string;
}

/**
 * Classify every component of a cartridge by portability tier. A cartridge
 * is `portable` when none is `inprocess`.
 *
 * @param definition What `readCartridge` returned.
 * @returns The components and the profile.
 * @example Grade a cartridge's portability
 * ```ts ignore
 * const { profile, components } = cartridgeComponents(await readCartridge("hello.cartridge"));
 * ```
 */
export function cartridgeComponents(
  definition: CartridgeDefinition,
): { components: CartridgeComponent[]; profile: "portable" | "python-host" } {
  const components: CartridgeComponent[] = [];
  for (const spec of definition.tools) {
    components.push({
      kind: "tool",
      name: spec.name,
      tier: spec.body.kind === "python" ? "inprocess" : "protocol",
      where: spec.body.kind === "python" ? spec.body.file : spec.file,
    });
  }
  for (const entry of definition.builtinTools) {
    components.push({ kind: "tool", name: entry.name, tier: "stdlib", where: "builtin_tools" });
  }
  for (const hook of definition.hooks) {
    components.push({ kind: "hook", name: hook.name, tier: "protocol", where: hook.file });
  }
  for (const entry of definition.builtinHooks) {
    components.push({ kind: "hook", name: entry.name, tier: "stdlib", where: "builtin_hooks" });
  }
  for (const server of definition.mcpServers) {
    components.push({
      kind: "mcp_server",
      name: server.name,
      tier: "protocol",
      where: "mcp_servers",
    });
  }
  for (const service of definition.stateServices) {
    components.push({
      kind: "state_service",
      name: service.name,
      tier: "protocol",
      where: "state_services",
    });
  }
  for (const [name, file] of definition.resources) {
    components.push({ kind: "resource", name, tier: "inprocess", where: file });
  }
  for (const source of definition.memory) {
    components.push({
      kind: "memory",
      name: source.name,
      tier: source.kind === "python" ? "inprocess" : "protocol",
      where: source.file,
    });
  }
  const profile = components.some((component) => component.tier === "inprocess")
    ? "python-host"
    : "portable";
  return { components, profile };
}

/**
 * A one-screen description of a cartridge: identity, budgets, model, tools,
 * hooks, servers, memory, portability, the runtime keys this host honours
 * or ignores, and warnings. Plain text lines, for the CLI's `describe`.
 *
 * @param definition What `readCartridge` returned.
 * @returns The lines.
 * @example Print a cartridge's description
 * ```ts ignore
 * console.log(describeCartridge(await readCartridge("hello.cartridge")).join("\n"));
 * ```
 */
export function describeCartridge(definition: CartridgeDefinition): string[] {
  const lines: string[] = [];
  const { manifest } = definition;
  lines.push(
    `${manifest.name}${
      manifest.version ? ` ${manifest.version}` : ""
    } (cartridge spec v${manifest.schema_version})`,
  );
  if (manifest.description) lines.push(`  ${manifest.description}`);
  if (definition.chain.length > 1) {
    lines.push(`  extends: ${definition.chain.slice(0, -1).join(" <- ")}`);
  }
  lines.push("");
  lines.push("config");
  lines.push(`  max_steps     ${definition.maxSteps}`);
  lines.push(`  done_tool     ${definition.doneTool}`);
  lines.push(`  max_tokens    ${definition.maxTokens ?? "(provider default)"}`);
  lines.push(`  temperature   ${definition.temperature ?? "(provider default)"}`);
  if (definition.model) {
    lines.push(
      `  model         ${definition.model.provider ?? "?"}/${definition.model.name ?? "?"}`,
    );
  }
  if (definition.outputSchema) lines.push(`  output_schema on ${definition.doneTool}`);
  lines.push("");
  const { components, profile } = cartridgeComponents(definition);
  const tools = components.filter((component) => component.kind === "tool");
  lines.push(`tools (${tools.length}${definition.mcpServers.length > 0 ? " + MCP" : ""})`);
  for (const spec of definition.tools) {
    const first = (spec.description.trim().split("\n")[0] ?? "").slice(0, 60);
    lines.push(`  ${spec.name.padEnd(20)} ${spec.body.kind.padEnd(7)} ${first}`);
  }
  for (const entry of definition.builtinTools) lines.push(`  ${entry.name.padEnd(20)} builtin`);
  for (const server of definition.mcpServers) {
    lines.push(
      `  mcp:${server.name.padEnd(16)} ${server.tools ? server.tools.join(", ") : "(all tools)"}  ${
        server.argv.join(" ")
      }`,
    );
  }
  lines.push("");
  const hookCount = definition.hooks.length + definition.builtinHooks.length +
    (definition.permissions ? 1 : 0);
  lines.push(`hooks (${hookCount})`);
  if (definition.permissions) {
    const { rules } = definition.permissions;
    lines.push(
      `  permissions          default ${definition.permissions.default}, ${rules.length} rules`,
    );
  }
  for (const hook of definition.hooks) {
    lines.push(`  ${hook.name.padEnd(20)} lep (${hook.onFailure})  ${hook.argv.join(" ")}`);
  }
  for (const entry of definition.builtinHooks) lines.push(`  ${entry.name.padEnd(20)} builtin`);
  if (definition.stateServices.length > 0) {
    lines.push("");
    lines.push(`state services (${definition.stateServices.length})`);
    for (const service of definition.stateServices) {
      lines.push(`  ${service.name.padEnd(20)} ${service.argv.join(" ")}`);
    }
  }
  if (definition.memory.length > 0) {
    lines.push("");
    lines.push(`memory (${definition.memory.length})`);
    for (const source of definition.memory) lines.push(`  ${source.name}`);
  }
  const ignored = Object.keys(definition.runtimeConfig).filter((key) =>
    !HONOURED_RUNTIME_KEYS.has(key)
  );
  if (ignored.length > 0) {
    lines.push("");
    lines.push(`runtime.yaml keys this host does not use: ${ignored.join(", ")}`);
  }
  lines.push("");
  const blockers = components.filter((component) => component.tier === "inprocess");
  lines.push(
    `portability: ${profile}${
      blockers.length > 0 ? ` (${blockers.map((b) => `${b.kind} ${b.name}`).join(", ")})` : ""
    }`,
  );
  if (definition.systemPrompt) {
    const prompt = definition.systemPrompt.trim().split("\n");
    lines.push("");
    lines.push("system prompt (first 8 lines)");
    for (const line of prompt.slice(0, 8)) lines.push(`  ${line.slice(0, 90)}`);
    if (prompt.length > 8) lines.push(`  ... (${prompt.length - 8} more lines)`);
  }
  for (const warning of definition.warnings) lines.push(`warning: ${warning}`);
  return lines;
}
