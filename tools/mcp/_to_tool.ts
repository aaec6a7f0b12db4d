import type { AnyTool, ToolContext } from "../../loop/types.ts";
import type { McpServer, McpToolDescription } from "./mcp_server.ts";
import { type AttachmentSink, resultData } from "./_content.ts";
import { jsonSchemaInput } from "./json_schema_input.ts";

/** What a loop tool needs of its client: name, config, calls, and where binary content goes. */
interface ToolClient extends Pick<McpServer, "name" | "config" | "callTool"> {
  keepAttachment: AttachmentSink;
}

const MAX_NAME = 64;

/** A name the loop accepts: letters, digits, `_`, `-`, at most 64 characters. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_NAME);
  return cleaned === "" ? "tool" : cleaned;
}

/**
 * Turn the server's tool descriptions into loop tools. Names are cleaned to
 * the loop's alphabet (and prefixed with `<server>_` when the config says
 * so); clashes after cleaning get `_2`, `_3`, ... The call itself always uses
 * the server's own name.
 */
export function toLoopTools(
  client: ToolClient,
  descriptions: readonly McpToolDescription[],
): AnyTool[] {
  const prefix = client.config.prefix === true ? `${client.name}_` : "";
  const used = new Set<string>();
  return descriptions.map((description) => {
    let name = safeName(prefix + description.name);
    for (let n = 2; used.has(name); n++) {
      const suffix = `_${n}`;
      name = name.slice(0, MAX_NAME - suffix.length) + suffix;
    }
    used.add(name);
    return toLoopTool(client, description, name);
  });
}

function toLoopTool(client: ToolClient, description: McpToolDescription, name: string): AnyTool {
  const schema = typeof description.inputSchema === "object" && description.inputSchema !== null
    ? description.inputSchema
    : { type: "object", properties: {} };
  const text = description.description?.trim() || description.title?.trim() ||
    `Tool "${description.name}" of MCP server "${client.name}"`;
  const serverName = description.name;
  return Object.freeze({
    name,
    description: text,
    input: jsonSchemaInput(schema),
    // Read-only tools may run side by side; the server handles concurrent requests.
    concurrencySafe: description.annotations?.readOnlyHint === true,
    async execute(args: Record<string, unknown>, ctx: ToolContext): Promise<unknown> {
      const result = await client.callTool(serverName, args, {
        signal: ctx.signal,
        onProgress: ({ progress, total, message }) =>
          ctx.progress(message ?? `${progress}${total !== undefined ? `/${total}` : ""}`, {
            progress,
            ...(total !== undefined ? { total } : {}),
          }),
      });
      return resultData(
        client.name,
        serverName,
        result,
        (mimeType, base64) => client.keepAttachment(mimeType, base64),
      );
    },
  });
}
