import { type LinearRegex, linearRegex } from "./_linear_regex.ts";
import type { SchemaIssue, SchemaParseResult, ToolInputSchema } from "../../loop/types.ts";

/**
 * Options of {@linkcode jsonSchemaInput}.
 *
 * @example Allow less nesting
 * ```ts
 * import { jsonSchemaInput } from "jsr:@looplet/looplet/mcp";
 * const input = jsonSchemaInput({ type: "object", properties: { q: { type: "string" } } }, { maxDepth: 16 });
 * ```
 */
export interface JsonSchemaInputOptions {
  /**
   * How deep `$ref`s and nested schemas may go before validation gives up
   * (guards against self-referencing schemas).
   * @default 64
   */
  readonly maxDepth?: number;
}

type Schema = boolean | Record<string, unknown>;
/** Compiled `pattern`s by source, kept across calls. */
type Patterns = Map<string, LinearRegex | undefined>;

/**
 * Turn a JSON Schema (as an MCP server declares a tool's `inputSchema`) into
 * the loop's `ToolInputSchema`: `safeParse` validates with the schema's own
 * rules and `toJSONSchema()` gives the schema back exactly as written, so the
 * model sees what the server declared.
 *
 * Honoured keywords: `type` (also as a list), `enum`, `const`, `properties`,
 * `required`, `additionalProperties`, `items`, `prefixItems`, `minItems`,
 * `maxItems`, `uniqueItems`, `minLength`, `maxLength`, `pattern`, `minimum`,
 * `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `anyOf`,
 * `oneOf`, `allOf`, `not`, `nullable` and local `$ref`s (`#/$defs/...`,
 * `#/definitions/...`). Other keywords (`format`, `default`, `description`)
 * do not constrain. Valid input is passed on unchanged: defaults are the
 * server's business.
 *
 * A `pattern` is read as JavaScript reads it (`u` flag) but run by a
 * linear-time matcher, so a server's `^(a+)+$` cannot stall the loop on a
 * long string. A pattern that matcher cannot run (backreferences, `(?i:…)`
 * modifiers, over 4,000 states), one that does not compile, or a string that
 * would take it over about 20 million steps, is not checked here; the server
 * still checks its own schema.
 *
 * @param schema The JSON Schema of the arguments (an object, or `true`).
 * @param options Depth limit.
 * @returns A schema with Zod's `safeParse` result shape and `toJSONSchema()`.
 * @throws {TypeError} When `schema` is not an object or a boolean.
 * @example Validate MCP tool arguments
 * ```ts
 * import { jsonSchemaInput } from "jsr:@looplet/looplet/mcp";
 *
 * const input = jsonSchemaInput({
 *   type: "object",
 *   properties: { path: { type: "string" }, sortBy: { enum: ["name", "size"] } },
 *   required: ["path"],
 * });
 * input.safeParse({ path: "/tmp" }).success; // true
 * input.safeParse({ sortBy: "date" }).success; // false: path is missing, sortBy not allowed
 * ```
 */
export function jsonSchemaInput(
  schema: Readonly<Record<string, unknown>> | boolean,
  options: JsonSchemaInputOptions = {},
): ToolInputSchema<Record<string, unknown>> {
  const { maxDepth = 64 } = options;
  if (
    typeof schema !== "boolean" &&
    (typeof schema !== "object" || schema === null || Array.isArray(schema))
  ) {
    throw new TypeError(
      `Cannot use JSON Schema: expected an object or a boolean, got ${
        Array.isArray(schema) ? "array" : typeof schema
      }`,
    );
  }
  const root = structuredClone(schema) as Schema;
  const patterns: Patterns = new Map();
  return {
    safeParse(value: unknown): SchemaParseResult<Record<string, unknown>> {
      const issues: SchemaIssue[] = [];
      new Validator(root, maxDepth, issues, patterns).check(root, value, [], 0);
      return issues.length > 0
        ? { success: false, error: { issues } }
        : { success: true, data: value as Record<string, unknown> };
    },
    toJSONSchema: () => structuredClone(root),
  };
}

/** The JSON type name of a value, as JSON Schema's `type` names it. */
function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(type: string, value: unknown): boolean {
  const actual = typeOf(value);
  if (type === "number") return actual === "number" || actual === "integer";
  return type === actual;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** JSON with sorted keys: equal for values `deepEqual` calls equal. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) =>
      typeof item === "object" && item !== null && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : item,
  ) ?? "undefined";
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
  );
}

/** Marks a (schema, value) pair being checked, to catch `$ref` loops that never reach a value. */
const IN_PROGRESS = Symbol("in progress");
/** Issues kept per schema and value: a schema can repeat one failure without end. */
const MAX_ISSUES = 50;

/**
 * Checks a value against a schema. Each (schema node, value) pair is checked
 * once and its issues are remembered, so a schema that refers to itself many
 * times (`{anyOf: [{$ref: "#"}, {$ref: "#"}]}`) costs its size times the
 * value's, never an exponential.
 */
class Validator {
  readonly #root: Schema;
  readonly #maxDepth: number;
  #issues: SchemaIssue[];
  readonly #patterns: Patterns;
  readonly #memo = new Map<object, Map<unknown, SchemaIssue[] | typeof IN_PROGRESS>>();

  constructor(root: Schema, maxDepth: number, issues: SchemaIssue[], patterns: Patterns) {
    this.#root = root;
    this.#patterns = patterns;
    this.#maxDepth = maxDepth;
    this.#issues = issues;
  }

  /** The pattern for the linear matcher; undefined when it does not constrain (see jsonSchemaInput). */
  #pattern(source: string): LinearRegex | undefined {
    if (!this.#patterns.has(source)) {
      let compiled: LinearRegex | undefined;
      try {
        new RegExp(source, "u"); // JavaScript's reading of the syntax is the reference
        const linear = linearRegex(source);
        compiled = "test" in linear ? linear : undefined;
      } catch {
        compiled = undefined;
      }
      this.#patterns.set(source, compiled);
    }
    return this.#patterns.get(source);
  }

  #fail(message: string, path: readonly PropertyKey[]): void {
    if (this.#issues.length >= MAX_ISSUES) return;
    const key = [...path, message].join("\u0000");
    if (this.#issues.some((issue) => [...issue.path, issue.message].join("\u0000") === key)) return;
    this.#issues.push({ message, path: [...path] });
  }

  #resolve(ref: string, path: readonly PropertyKey[]): Schema | undefined {
    if (!ref.startsWith("#")) {
      this.#fail(`Cannot check input: remote $ref ${show(ref)} is not supported`, path);
      return undefined;
    }
    let node: unknown = this.#root;
    const pointer = ref.slice(1);
    if (pointer !== "") {
      for (const raw of pointer.split("/").slice(1)) {
        let key: string;
        try {
          key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
        } catch {
          key = raw;
        }
        node = typeof node === "object" && node !== null && Object.hasOwn(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined;
      }
    }
    if (typeof node === "boolean" || (typeof node === "object" && node !== null)) {
      return node as Schema;
    }
    this.#fail(`Cannot check input: $ref ${show(ref)} points to nothing`, path);
    return undefined;
  }

  /** Validate without recording issues; true when valid. */
  #passes(schema: Schema, value: unknown, depth: number): boolean {
    const outer = this.#issues;
    this.#issues = [];
    try {
      this.check(schema, value, [], depth);
      return this.#issues.length === 0;
    } finally {
      this.#issues = outer;
    }
  }

  check(schema: Schema, value: unknown, path: readonly PropertyKey[], depth: number): void {
    if (schema === true) return;
    if (schema === false) return this.#fail("Invalid input: no value is allowed here", path);
    if (typeof schema !== "object" || schema === null) return;
    if (depth > this.#maxDepth) {
      return this.#fail(`Cannot check input: schema nests deeper than ${this.#maxDepth}`, path);
    }
    let known = this.#memo.get(schema);
    if (known === undefined) this.#memo.set(schema, known = new Map());
    const seen = known.get(value);
    if (seen === IN_PROGRESS) {
      return this.#fail(
        "Cannot check input: the schema refers back to itself without reaching a value ($ref loop)",
        path,
      );
    }
    let issues = seen;
    if (issues === undefined) {
      known.set(value, IN_PROGRESS);
      const outer = this.#issues;
      this.#issues = [];
      try {
        this.#checkNode(schema, value, depth);
        issues = this.#issues;
      } finally {
        this.#issues = outer;
      }
      known.set(value, issues);
    }
    for (const issue of issues) this.#fail(issue.message, [...path, ...issue.path]);
  }

  /** The checks of one schema node, with issue paths relative to the value. */
  #checkNode(schema: Record<string, unknown>, value: unknown, depth: number): void {
    const path: PropertyKey[] = [];
    if (typeof schema.$ref === "string") {
      const target = this.#resolve(schema.$ref, path);
      if (target === undefined) return;
      this.check(target, value, path, depth + 1);
    }
    if (value === null && schema.nullable === true) return;
    if (!this.#checkType(schema, value, path)) return;
    if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(option, value))) {
      this.#fail(`Invalid option: expected one of ${schema.enum.map(show).join("|")}`, path);
    }
    if ("const" in schema && !deepEqual(schema.const, value)) {
      this.#fail(`Invalid input: expected ${show(schema.const)}`, path);
    }
    this.#checkCombinators(schema, value, path, depth);
    if (typeof value === "string") this.#checkString(schema, value, path);
    else if (typeof value === "number") this.#checkNumber(schema, value, path);
    else if (Array.isArray(value)) this.#checkArray(schema, value, path, depth);
    else if (typeof value === "object" && value !== null) {
      this.#checkObject(schema, value as Record<string, unknown>, path, depth);
    }
  }

  #checkType(schema: Record<string, unknown>, value: unknown, path: readonly PropertyKey[]) {
    const type = schema.type;
    const types = typeof type === "string"
      ? [type]
      : Array.isArray(type)
      ? type.filter((item): item is string => typeof item === "string")
      : [];
    if (types.length === 0 || types.some((item) => matchesType(item, value))) return true;
    const received = value === undefined ? "undefined" : typeOf(value);
    this.#fail(`Invalid input: expected ${types.join(" or ")}, received ${received}`, path);
    return false;
  }

  #checkCombinators(
    schema: Record<string, unknown>,
    value: unknown,
    path: readonly PropertyKey[],
    depth: number,
  ): void {
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf as Schema[]) this.check(part, value, path, depth + 1);
    }
    if (Array.isArray(schema.anyOf)) {
      const options = schema.anyOf as Schema[];
      if (!options.some((option) => this.#passes(option, value, depth + 1))) {
        this.#fail(
          `Invalid input: matches none of the ${options.length} allowed shapes (anyOf)`,
          path,
        );
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const options = schema.oneOf as Schema[];
      const matches = options.filter((option) => this.#passes(option, value, depth + 1));
      if (matches.length !== 1) {
        this.#fail(
          `Invalid input: must match exactly one of ${options.length} shapes (oneOf), matches ${matches.length}`,
          path,
        );
      }
    }
    if (
      schema.not !== undefined &&
      (typeof schema.not === "boolean" || typeof schema.not === "object")
    ) {
      if (this.#passes(schema.not as Schema, value, depth + 1)) {
        this.#fail("Invalid input: matches a shape that is not allowed (not)", path);
      }
    }
  }

  #checkString(schema: Record<string, unknown>, value: string, path: readonly PropertyKey[]) {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) {
      this.#fail(`Too small: expected string to have >=${schema.minLength} characters`, path);
    }
    if (typeof schema.maxLength === "number" && length > schema.maxLength) {
      this.#fail(`Too big: expected string to have <=${schema.maxLength} characters`, path);
    }
    if (typeof schema.pattern === "string") {
      if (this.#pattern(schema.pattern)?.test(value) === false) {
        this.#fail(`Invalid string: must match pattern /${schema.pattern}/`, path);
      }
    }
  }

  #checkNumber(schema: Record<string, unknown>, value: number, path: readonly PropertyKey[]) {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
    if (typeof minimum === "number" && value < minimum) {
      this.#fail(`Too small: expected number to be >=${minimum}`, path);
    }
    if (typeof maximum === "number" && value > maximum) {
      this.#fail(`Too big: expected number to be <=${maximum}`, path);
    }
    if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) {
      this.#fail(`Too small: expected number to be >${exclusiveMinimum}`, path);
    }
    if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) {
      this.#fail(`Too big: expected number to be <${exclusiveMaximum}`, path);
    }
    if (typeof multipleOf === "number" && multipleOf > 0) {
      const quotient = value / multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        this.#fail(`Invalid number: must be a multiple of ${multipleOf}`, path);
      }
    }
  }

  #checkArray(
    schema: Record<string, unknown>,
    value: unknown[],
    path: readonly PropertyKey[],
    depth: number,
  ) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      this.#fail(`Too small: expected array to have >=${schema.minItems} items`, path);
    }
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
      this.#fail(`Too big: expected array to have <=${schema.maxItems} items`, path);
    }
    if (schema.uniqueItems === true) {
      const keys = new Set<string>();
      const duplicate = value.findIndex((item) => {
        const key = canonical(item);
        if (keys.has(key)) return true;
        keys.add(key);
        return false;
      });
      if (duplicate >= 0) {
        this.#fail("Invalid input: array items must be unique", [...path, duplicate]);
      }
    }
    const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as Schema[]) : [];
    // Draft 4-7 tuple form: `items` as an array.
    const tuple = Array.isArray(schema.items) ? (schema.items as Schema[]) : prefix;
    const rest = Array.isArray(schema.items)
      ? schema.additionalItems
      : schema.items ?? schema.additionalItems;
    value.forEach((item, index) => {
      const itemSchema = index < tuple.length ? tuple[index] : rest;
      if (typeof itemSchema === "boolean" || (typeof itemSchema === "object" && itemSchema)) {
        this.check(itemSchema as Schema, item, [...path, index], depth + 1);
      }
    });
  }

  #checkObject(
    schema: Record<string, unknown>,
    value: Record<string, unknown>,
    path: readonly PropertyKey[],
    depth: number,
  ) {
    const properties = typeof schema.properties === "object" && schema.properties !== null
      ? schema.properties as Record<string, Schema>
      : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === "string" && value[key] === undefined) {
          const expected = properties[key];
          const type = typeof expected === "object" && typeof expected.type === "string"
            ? expected.type
            : "a value";
          this.#fail(`Invalid input: expected ${type}, received undefined`, [...path, key]);
        }
      }
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const propertySchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (propertySchema !== undefined) {
        this.check(propertySchema, item, [...path, key], depth + 1);
      } else if (schema.additionalProperties === false) {
        this.#fail(`Unrecognized key: ${show(key)}`, path);
      } else if (
        typeof schema.additionalProperties === "object" && schema.additionalProperties !== null
      ) {
        this.check(schema.additionalProperties as Schema, item, [...path, key], depth + 1);
      }
    }
    if (typeof schema.minProperties === "number") {
      if (Object.keys(value).length < schema.minProperties) {
        this.#fail(`Too small: expected at least ${schema.minProperties} properties`, path);
      }
    }
  }
}
