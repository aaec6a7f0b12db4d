import type { SchemaIssue, SchemaParseResult, ToolInputSchema } from "./types.ts";

/** A string field of a built-in tool's input. */
export interface StringField {
  readonly description: string;
  readonly optional?: boolean;
}

/**
 * A tiny schema for objects of string fields, with Zod's `safeParse` and
 * `toJSONSchema` shape. Built-in tools use it so that importing the library
 * does not load Zod.
 */
export function stringObjectSchema<T extends Record<string, string | undefined>>(
  fields: Record<keyof T & string, StringField>,
): ToolInputSchema<T> {
  const entries = Object.entries(fields) as [string, StringField][];
  const jsonSchema = {
    type: "object",
    properties: Object.fromEntries(
      entries.map(([key, field]) => [key, { type: "string", description: field.description }]),
    ),
    required: entries.filter(([, field]) => !field.optional).map(([key]) => key),
  };
  return {
    safeParse(value: unknown): SchemaParseResult<T> {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return {
          success: false,
          error: { issues: [{ message: "Invalid input: expected object", path: [] }] },
        };
      }
      const record = value as Record<string, unknown>;
      const issues: SchemaIssue[] = [];
      const data: Record<string, string> = {};
      for (const [key, field] of entries) {
        const item = record[key];
        if (item === undefined && field.optional) continue;
        if (typeof item !== "string") {
          const received = item === undefined
            ? "undefined"
            : Array.isArray(item)
            ? "array"
            : typeof item;
          issues.push({
            message: `Invalid input: expected string, received ${received}`,
            path: [key],
          });
        } else data[key] = item;
      }
      return issues.length > 0
        ? { success: false, error: { issues } }
        : { success: true, data: data as T };
    },
    toJSONSchema: () => structuredClone(jsonSchema),
  };
}
