import { cp, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { stringify } from "yaml";
import { readBundleFolder } from "../bundles/read_bundle_folder.ts";
import { BundleError } from "../bundles/bundle_error.ts";
import { readCartridge } from "./read_cartridge.ts";
import { RUNNER } from "./_python_body.ts";

/**
 * What a conversion wrote, and what it could not carry over.
 *
 * @example Report the gaps
 * ```ts ignore
 * const { target, gaps } = await bundleToCartridge("skills/dep_audit", "dep_audit.cartridge");
 * for (const gap of gaps) console.warn(`not converted: ${gap}`);
 * ```
 */
export interface Conversion {
  /** The folder written. */
  readonly target: string;
  /** Files written, relative to the target. */
  readonly written: readonly string[];
  /** What has no equivalent in the other format, one line each. */
  readonly gaps: readonly string[];
}

function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

async function assertFree(target: string): Promise<void> {
  if (await stat(target).then(() => true, () => false)) {
    throw new Error(`Cannot convert into "${target}": it already exists; pick a new folder`);
  }
}

class Writer {
  readonly written: string[] = [];
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }
  async write(path: string, text: string): Promise<void> {
    await mkdir(dirname(join(this.root, path)), { recursive: true });
    await writeFile(join(this.root, path), text);
    this.written.push(path);
  }
  async copyFolder(from: string, to: string, skip: (name: string) => boolean): Promise<void> {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (skip(entry.name) || entry.name === "__pycache__") continue;
      const source = join(from, entry.name);
      if (entry.isDirectory()) await this.copyFolder(source, `${to}/${entry.name}`, () => false);
      else if (entry.isFile()) {
        await mkdir(join(this.root, to), { recursive: true });
        await cp(source, join(this.root, to, entry.name));
        this.written.push(`${to}/${entry.name}`);
      }
    }
  }
}

/**
 * Convert a skill bundle into a spec v2 cartridge where the formats overlap:
 * name, description, budget and done tool, the system prompt (with the
 * SKILL.md instructions appended), memory, `command` tools (the folder is
 * copied, `${TOOL_DIR}` becomes `${runtime.tool_dir}`), MCP stdio servers,
 * `deny-tools` hooks (as `permissions: deny:` rules) and `scripted.json`.
 * Everything else is listed in `gaps`.
 *
 * @param bundleRoot The bundle folder.
 * @param target The cartridge folder to create (must not exist).
 * @returns What was written and the gaps.
 * @throws {BundleError} When the bundle is invalid.
 * @example Convert a bundle into a cartridge
 * ```ts ignore
 * const { gaps } = await bundleToCartridge("examples/skills/dep_audit", "dep_audit.cartridge");
 * ```
 */
export async function bundleToCartridge(bundleRoot: string, target: string): Promise<Conversion> {
  const { folder, problems } = await readBundleFolder(bundleRoot);
  if (folder === undefined) throw new BundleError(problems);
  await assertFree(target);
  const out = new Writer(target);
  const gaps: string[] = [];
  await out.write(
    "cartridge.json",
    JSON.stringify(
      { name: folder.skill.name, schema_version: 2, description: folder.skill.description },
      null,
      2,
    ) + "\n",
  );
  if (folder.entrypoint) {
    gaps.push(
      `${folder.entrypoint.relative}: the entrypoint's build() is code; its tools, hooks and prompt are not converted`,
    );
  }
  const config: Record<string, unknown> = {};
  if (folder.maxSteps !== undefined) config.max_steps = folder.maxSteps;
  if (folder.doneTool !== undefined && folder.doneTool !== "done") {
    config.done_tool = folder.doneTool;
  }
  const deny: Record<string, unknown>[] = [];
  folder.hooks.forEach((hook, index) => {
    if (hook.use === "deny-tools") {
      const { tools = [], reason } = (hook.config ?? {}) as { tools?: string[]; reason?: string };
      for (const name of tools) deny.push({ tool: name, ...(reason ? { reason } : {}) });
    } else {gaps.push(
        `hooks/hooks.json hooks[${index}]: "${hook.use}" has no cartridge equivalent (port it to an LEP server)`,
      );}
  });
  if (deny.length > 0) config.permissions = { default: "allow", deny };
  const servers: Record<string, unknown> = {};
  for (const server of folder.mcpServers) {
    if (server.command === undefined) {
      gaps.push(
        `mcp.json ${server.name}: HTTP servers (url) have no cartridge equivalent; only stdio commands`,
      );
      continue;
    }
    servers[server.name] = {
      command: [server.command, ...(server.args ?? [])].map(quote).join(" "),
      ...(server.env ? { env: server.env } : {}),
      ...(server.timeout_ms ? { timeout_s: server.timeout_ms / 1000 } : {}),
    };
    if (server.prefix !== "" && server.prefix !== undefined) {
      gaps.push(
        `mcp.json ${server.name}: tool prefix "${server.prefix}" is dropped (cartridge MCP tools keep their names)`,
      );
    } else if (server.prefix === undefined) {
      gaps.push(
        `mcp.json ${server.name}: tools were prefixed "${server.name}_"; the cartridge registers them unprefixed`,
      );
    }
    if (server.cwd) {
      gaps.push(`mcp.json ${server.name}: cwd is dropped (cartridge servers run in the workspace)`);
    }
  }
  if (Object.keys(servers).length > 0) config.mcp_servers = servers;
  if (folder.state !== undefined) {
    gaps.push("state.json: initial run metadata has no cartridge slot");
  }
  await out.write("config.yaml", Object.keys(config).length > 0 ? stringify(config) : "{}\n");
  const instructions = folder.skill.body.trim();
  const prompt = [
    folder.systemPrompt?.trim() ?? "",
    instructions === "" ? "" : `# Skill: ${folder.skill.name}\n\n${instructions}`,
  ]
    .filter((part) => part !== "").join("\n\n");
  if (prompt !== "") await out.write("prompts/system.md", prompt + "\n");
  for (const file of folder.memory) await out.write(`memory/${file.name}`, file.text);
  for (const entry of folder.tools) {
    const { manifest, dir } = entry;
    if (manifest.module !== undefined) {
      gaps.push(
        `tools/${manifest.name}: a JS/TS module tool has no cartridge body; wrap it in a command or an MCP server`,
      );
      continue;
    }
    await out.copyFolder(dir, `tools/${manifest.name}`, (name) => name === "tool.json");
    await out.write(
      `tools/${manifest.name}/tool.yaml`,
      stringify({
        name: manifest.name,
        description: manifest.description,
        parameters: manifest.input_schema,
        command: manifest.command!.map((part) =>
          part.replaceAll("${TOOL_DIR}", "${runtime.tool_dir}")
        ),
        ...(manifest.timeout_ms ? { timeout_s: manifest.timeout_ms / 1000 } : {}),
        ...(manifest.concurrency_safe ? { concurrent_safe: true } : {}),
      }),
    );
  }
  if (folder.scripted) {
    await out.write("scripted.json", JSON.stringify(folder.scripted, null, 2) + "\n");
  }
  return { target, written: out.written, gaps };
}

/**
 * Convert a spec v2 cartridge into a skill bundle where the formats overlap:
 * SKILL.md (name, description, max-steps, done-tool), the system prompt,
 * markdown memory, tools (an `execute.py` body gets a copy of the host's
 * Python runner, so it runs as a `command` tool with JSON in and out), MCP
 * servers, argument-free deny rules (as a `deny-tools` hook) and
 * `scripted.json`. LEP hooks, state services, built-ins, the model block,
 * `runtime.yaml`, the output schema and other permission rules are listed in
 * `gaps`.
 *
 * @param cartridgeRoot The cartridge folder.
 * @param target The bundle folder to create (must not exist).
 * @returns What was written and the gaps.
 * @throws {CartridgeError} When the cartridge is invalid.
 * @example Convert a cartridge into a bundle
 * ```ts ignore
 * const { gaps } = await cartridgeToBundle("hello.cartridge", "skills/hello");
 * ```
 */
export async function cartridgeToBundle(
  cartridgeRoot: string,
  target: string,
): Promise<Conversion> {
  const definition = await readCartridge(cartridgeRoot);
  await assertFree(target);
  const out = new Writer(target);
  const gaps: string[] = [];
  const { manifest } = definition;
  await out.write(
    "SKILL.md",
    `---\n${
      stringify({
        name: manifest.name.replace(/[^a-z0-9-]/gi, "-").toLowerCase(),
        description: manifest.description || `The ${manifest.name} agent`,
        "max-steps": definition.maxSteps,
        ...(definition.doneTool !== "done" ? { "done-tool": definition.doneTool } : {}),
      })
    }---\n`,
  );
  if (definition.systemPrompt) await out.write("prompts/system.md", definition.systemPrompt);
  for (const source of definition.memory) {
    if (source.kind === "markdown") {
      await out.write(`memory/${source.name}`, await readFile(source.file, "utf8"));
    } else gaps.push(`memory/${source.name}: a Python memory module has no bundle equivalent`);
  }
  for (const spec of definition.tools) {
    if (spec.name === definition.doneTool) {
      if (spec.outputSchema) {
        gaps.push(`tools/${spec.name}: output_schema is not validated by bundles`);
      }
      if (spec.body.kind === "echo") {
        gaps.push(`tools/${spec.name}: the bundle uses the standard done tool (argument "answer")`);
        continue;
      }
    }
    if (spec.requires.some((name) => name !== "runtime")) {
      gaps.push(
        `tools/${spec.name}: requires ${spec.requires.join(", ")}, which a bundle cannot inject`,
      );
    }
    const command = spec.body.kind === "python"
      ? [
        "python3",
        "${TOOL_DIR}/_looplet_runner.py",
        "execute",
        `\${TOOL_DIR}/${
          relative(join(spec.layerRoot, "tools", basename(dirname(spec.body.file))), spec.body.file)
        }`,
      ]
      : spec.body.kind === "command"
      ? [...spec.body.argv]
      : undefined;
    if (command === undefined) {
      gaps.push(`tools/${spec.name}: has no body to convert`);
      continue;
    }
    const folder = join(spec.layerRoot, "tools", spec.name);
    if (await stat(folder).then((info) => info.isDirectory(), () => false)) {
      await out.copyFolder(folder, `tools/${spec.name}`, (name) => name === "tool.yaml");
    } else if (spec.body.kind === "python") {
      await mkdir(join(target, "tools", spec.name), { recursive: true });
      await cp(spec.body.file, join(target, "tools", spec.name, basename(spec.body.file)));
      out.written.push(`tools/${spec.name}/${basename(spec.body.file)}`);
      command[3] = `\${TOOL_DIR}/${basename(spec.body.file)}`;
    }
    if (spec.body.kind === "python") {
      // The runner reads {"args": ...} JSON; a bundle sends the bare arguments, so wrap them.
      await out.write(
        `tools/${spec.name}/_looplet_runner.py`,
        "import json, sys\n_raw = sys.stdin.read() or '{}'\nsys.stdin = __import__('io').StringIO(json.dumps({'args': json.loads(_raw)}))\n" +
          RUNNER.replace(
            "out.write(json.dumps(envelope, default=str))",
            'out.write(json.dumps(envelope.get("value") if envelope["ok"] else envelope, default=str))\n    if not envelope["ok"]:\n        sys.exit(1)',
          ),
      );
    }
    await out.write(
      `tools/${spec.name}/tool.json`,
      JSON.stringify(
        {
          name: spec.name,
          description: spec.description,
          input_schema: spec.parameters,
          command,
          ...(spec.timeoutS ? { timeout_ms: spec.timeoutS * 1000 } : {}),
          ...(spec.concurrentSafe ? { concurrency_safe: true } : {}),
        },
        null,
        2,
      ) + "\n",
    );
  }
  const denied = (definition.permissions?.rules ?? []).filter((rule) =>
    rule.decision === "deny" && rule.contains === undefined && rule.matches === undefined
  );
  const others = (definition.permissions?.rules ?? []).length - denied.length;
  if (denied.length > 0) {
    await out.write(
      "hooks/hooks.json",
      JSON.stringify(
        { hooks: [{ use: "deny-tools", config: { tools: denied.map((rule) => rule.tool) } }] },
        null,
        2,
      ) + "\n",
    );
  }
  if (others > 0 || (definition.permissions && definition.permissions.default !== "allow")) {
    gaps.push(
      `config.yaml permissions: ${others} rule(s) with arguments, ask or allow, and the default, have no bundle equivalent`,
    );
  }
  if (definition.mcpServers.length > 0) {
    await out.write(
      "mcp.json",
      JSON.stringify(
        {
          servers: definition.mcpServers.map((server) => ({
            name: server.name,
            command: server.argv[0],
            args: server.argv.slice(1),
            ...(Object.keys(server.env).length > 0 ? { env: server.env } : {}),
            timeout_ms: server.timeoutMs,
            prefix: "",
          })),
        },
        null,
        2,
      ) + "\n",
    );
    if (definition.mcpServers.some((server) => server.tools)) {
      gaps.push("config.yaml mcp_servers: tools: allow-lists are dropped");
    }
  }
  for (const hook of definition.hooks) {
    gaps.push(`hooks/${hook.name}: LEP hooks have no bundle equivalent`);
  }
  for (const entry of definition.builtinHooks) {
    gaps.push(`config.yaml builtin_hooks: ${entry.name} has no bundle equivalent`);
  }
  for (const entry of definition.builtinTools) {
    gaps.push(`config.yaml builtin_tools: ${entry.name} has no bundle equivalent`);
  }
  for (const service of definition.stateServices) {
    gaps.push(`config.yaml state_services: ${service.name} has no bundle equivalent`);
  }
  if (definition.model) gaps.push("config.yaml model: the model block has no bundle equivalent");
  if (Object.keys(definition.runtimeConfig).length > 0) {
    gaps.push("runtime.yaml: runtime keys have no bundle equivalent");
  }
  if (definition.resources.size > 0) {
    gaps.push("resources/: Python resources have no bundle equivalent");
  }
  const scripted = join(definition.root, "scripted.json");
  if (await stat(scripted).then((info) => info.isFile(), () => false)) {
    await out.write("scripted.json", await readFile(scripted, "utf8"));
  }
  return { target, written: out.written, gaps };
}
