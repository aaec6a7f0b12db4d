import {
  type CartridgeProblem,
  CartridgeReferenceError,
  CartridgeRemovedError,
} from "./cartridge_error.ts";
import { parse } from "yaml";

/** A `${ref:name}` / `@name` reference left in a resolved value: the host decides what it means. */
export interface ResourceReference {
  /** The resource name. */
  readonly $ref: string;
}

/** Where a value came from, for error messages. */
export interface ReferenceSite {
  /** The file. */
  readonly file: string;
  /** The runtime values. */
  readonly runtime: Readonly<Record<string, unknown>>;
  /** Names a `${ref:...}` may name. */
  readonly resources: ReadonlySet<string>;
}

const WHOLE_RUNTIME = /^\$\{runtime\.([A-Za-z0-9_.]+)(?::-(.*))?\}$/s;
const ANY_RUNTIME = /\$\{runtime\.([A-Za-z0-9_.]+)(?::-([^}]*))?\}/g;
const WHOLE_REF = /^(?:\$\{ref:([A-Za-z0-9_.-]+)\}|@([A-Za-z_][A-Za-z0-9_]*))$/;

function lookup(runtime: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = runtime;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || !(part in value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function scalar(text: string): unknown {
  try {
    const value = parse(text);
    return typeof value === "object" && value !== null ? text : value ?? text;
  } catch {
    return text;
  }
}

function fail(site: ReferenceSite, field: string, message: string, fix: string): never {
  const problem: CartridgeProblem = { file: site.file, field, message, fix };
  throw new CartridgeReferenceError(problem);
}

function resolveString(text: string, site: ReferenceSite, field: string): unknown {
  if (text.includes("${py:")) {
    throw new CartridgeRemovedError({
      file: site.file,
      field,
      message: `uses ${
        JSON.stringify(text)
      }; the \${py:module:symbol} grammar is removed in spec v2`,
      fix: "wrap the symbol in a one-line resources/<name>.py builder and write ${ref:<name>}",
    });
  }
  const ref = WHOLE_REF.exec(text);
  if (ref) {
    const name = ref[1] ?? ref[2] ?? "";
    if (!site.resources.has(name)) {
      fail(
        site,
        field,
        `names resource "${name}", which no resources/${name}.py, state service or runtime value provides`,
        `add resources/${name}.py, a state_services entry named "${name}", or fix the name`,
      );
    }
    return { $ref: name } satisfies ResourceReference;
  }
  const whole = WHOLE_RUNTIME.exec(text);
  if (whole) {
    const path = whole[1] ?? "";
    const value = lookup(site.runtime, path);
    if (value !== undefined) return value;
    if (whole[2] !== undefined) return scalar(whole[2]);
    fail(
      site,
      field,
      `\${runtime.${path}} is not set by the host`,
      `pass runtime value "${path}" or write \${runtime.${path}:-<default>}`,
    );
  }
  return text.replace(ANY_RUNTIME, (_match, path: string, fallback: string | undefined) => {
    const value = lookup(site.runtime, path);
    if (value !== undefined) return typeof value === "string" ? value : JSON.stringify(value);
    if (fallback !== undefined) return fallback;
    return fail(
      site,
      field,
      `\${runtime.${path}} is not set by the host`,
      `pass runtime value "${path}" or write \${runtime.${path}:-<default>}`,
    );
  });
}

/**
 * Resolve the reference grammar in every string of a parsed YAML value:
 * `${runtime.a.b}` and `${runtime.x:-default}` become values, `${ref:name}`
 * and `@name` become `{ $ref: name }`, `${py:...}` is rejected.
 */
export function resolveReferences(value: unknown, site: ReferenceSite, field = ""): unknown {
  if (typeof value === "string") return resolveString(value, site, field || "(value)");
  if (Array.isArray(value)) {
    return value.map((item, index) => resolveReferences(item, site, `${field}[${index}]`));
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = resolveReferences(item, site, field === "" ? key : `${field}.${key}`);
    }
    return out;
  }
  return value;
}

/** True when a value is a `{ $ref }` left by `resolveReferences`. */
export function isResourceReference(value: unknown): value is ResourceReference {
  return typeof value === "object" && value !== null && typeof (value as ResourceReference).$ref ===
      "string" &&
    Object.keys(value).length === 1;
}
