import { McpError } from "./mcp_error.ts";

/**
 * Binary content kept aside so the transcript only carries a reference.
 *
 * @example Save an image a tool returned
 * ```ts ignore
 * const attachment = server.attachment("mcp://browser/attachments/1");
 * if (attachment?.mimeType === "image/png") await Deno.writeFile("shot.png", attachment.data);
 * ```
 */
export interface McpAttachment {
  /** The reference the model saw, `mcp://<server>/attachments/<n>`. */
  readonly ref: string;
  /** MIME type the server gave. */
  readonly mimeType: string;
  /** The decoded bytes. */
  readonly data: Uint8Array;
}

/** Where binary content goes; returns the reference. */
export type AttachmentSink = (mimeType: string, base64: string) => { ref: string; bytes: number };

/** The text of the content blocks (for error results). */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => {
      if (typeof block !== "object" || block === null) return "";
      const item = block as Record<string, unknown>;
      if (item.type === "text" && typeof item.text === "string") return item.text;
      if (item.type === "resource") {
        const resource = item.resource as Record<string, unknown> | undefined;
        if (typeof resource?.text === "string") return resource.text;
      }
      return "";
    })
    .filter((text) => text !== "")
    .join("\n");
}

function mapBlock(block: unknown, sink: AttachmentSink): unknown {
  if (typeof block !== "object" || block === null) return block;
  const item = block as Record<string, unknown>;
  switch (item.type) {
    case "text":
      return { type: "text", text: item.text };
    case "image":
    case "audio": {
      const mimeType = typeof item.mimeType === "string"
        ? item.mimeType
        : "application/octet-stream";
      if (typeof item.data !== "string") return { type: item.type, mimeType };
      const { ref, bytes } = sink(mimeType, item.data);
      return { type: item.type, mimeType, bytes, ref };
    }
    case "resource_link": {
      const { _meta: _, annotations: _a, icons: _i, ...rest } = item;
      return rest;
    }
    case "resource": {
      const resource = (item.resource ?? {}) as Record<string, unknown>;
      const mimeType = typeof resource.mimeType === "string" ? resource.mimeType : undefined;
      const base = { type: "resource", uri: resource.uri, ...(mimeType ? { mimeType } : {}) };
      if (typeof resource.text === "string") return { ...base, text: resource.text };
      if (typeof resource.blob === "string") {
        const { ref, bytes } = sink(mimeType ?? "application/octet-stream", resource.blob);
        return { ...base, bytes, ref };
      }
      return base;
    }
    default: {
      const { _meta: _, ...rest } = item;
      return rest;
    }
  }
}

/**
 * Turn an MCP `tools/call` result into the data a step carries.
 *
 * - `isError: true` throws an `McpError` with the server's text, so the loop
 *   records a failed step the model reads.
 * - Text only: the text (blocks joined by newlines).
 * - `structuredContent`: that object (its text block is, by the spec, the
 *   same data serialized); other blocks beside it go under `content`.
 * - Images, audio and binary resources: `{ type, mimeType, bytes, ref }`,
 *   the bytes kept aside under `ref` rather than sent to the model as base64.
 */
export function resultData(
  server: string,
  tool: string,
  result: Record<string, unknown>,
  sink: AttachmentSink,
): unknown {
  const content = Array.isArray(result.content) ? result.content : [];
  if (result.isError === true) {
    const text = contentText(content) || JSON.stringify(result.structuredContent ?? content);
    throw new McpError(server, `Tool "${tool}" of MCP server "${server}" failed: ${text}`);
  }
  const structured = result.structuredContent;
  const allText = content.every((block) =>
    typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text"
  );
  if (typeof structured === "object" && structured !== null) {
    if (allText) return structured;
    const others = content
      .filter((block) => (block as { type?: unknown })?.type !== "text")
      .map((block) => mapBlock(block, sink));
    return { structuredContent: structured, content: others };
  }
  if (content.length === 0) return null;
  if (allText) return contentText(content);
  return { content: content.map((block) => mapBlock(block, sink)) };
}
