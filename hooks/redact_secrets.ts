/**
 * Patterns of common secrets: provider API keys, bearer tokens, AWS keys, private key blocks, `password=` values.
 *
 * @example Add a pattern to the defaults
 * ```ts
 * import { redactSecrets, SECRET_PATTERNS } from "jsr:@looplet/looplet/hooks";
 * const redact = redactSecrets({ patterns: [...SECRET_PATTERNS, /\bacme_[a-z0-9]{24}\b/g] });
 * ```
 */
export const SECRET_PATTERNS: readonly RegExp[] = Object.freeze([
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g,
  /\b(password|passwd|secret|api[_-]?key|token)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
]);

/**
 * Options of `redactSecrets`.
 *
 * @example Redact known values with a custom marker
 * ```ts
 * import { redactSecrets } from "jsr:@looplet/looplet/hooks";
 * const redact = redactSecrets({ values: ["hunter2"], replacement: "***" });
 * redact("the password is hunter2"); // "the password is ***"
 * ```
 */
export interface RedactSecretsOptions {
  /** Patterns to replace (global RegExps). @default SECRET_PATTERNS */
  readonly patterns?: readonly RegExp[];
  /** Exact strings to replace wherever they occur (for example the values of your own API keys). @default [] */
  readonly values?: readonly string[];
  /** The replacement. @default "[REDACTED]" */
  readonly replacement?: string;
}

/**
 * Make a `redact(text)` function: the one shape every writer in looplet takes
 * (`redactingBackend`, `FileCheckpointStore`, the tracing hook, provenance
 * sinks). For `key=value` patterns the key is kept and only the value replaced.
 *
 * @param options Patterns, exact values and replacement.
 * @returns The redact function.
 * @throws {TypeError} When a pattern is not a global RegExp.
 * @example
 * ```ts
 * import { redactSecrets } from "jsr:@looplet/looplet/hooks";
 * const redact = redactSecrets({ values: ["hunter2"] });
 * redact("password=hunter2 and key sk-ant-abcdefghijklmnopqrstu"); // "password=[REDACTED] and key [REDACTED]"
 * ```
 */
export function redactSecrets(options: RedactSecretsOptions = {}): (text: string) => string {
  const { patterns = SECRET_PATTERNS, values = [], replacement = "[REDACTED]" } = options;
  for (const pattern of patterns) {
    if (!(pattern instanceof RegExp) || !pattern.global) {
      throw new TypeError(
        `Cannot make redactor: ${String(pattern)} must be a RegExp with the g flag`,
      );
    }
  }
  const exact = values.filter((value) => typeof value === "string" && value.length > 0)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of exact) out = out.replaceAll(value, replacement);
    for (const pattern of patterns) {
      out = out.replace(
        pattern,
        (match, key?: unknown, separator?: unknown) =>
          typeof key === "string" && typeof separator === "string" && match.startsWith(key)
            ? `${key}${separator}${replacement}`
            : replacement,
      );
    }
    return out;
  };
}

/** Variable names whose values are secrets: keys, tokens, passwords, credentials, cloud keys. */
const SECRET_NAME =
  /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?|PRIVATE|COOKIE|DSN)(?:_|$)/i;

/**
 * The values of an environment's secret-looking variables (`*_API_KEY`,
 * `*_TOKEN`, `*_SECRET`, `*_PASSWORD`, `*_KEY`, ...), at least 8 characters
 * long, for `redactSecrets({ values })`: whatever a tool prints, these
 * exact strings never reach the model or the trace.
 *
 * @param env The environment to read, for example `process.env`.
 * @returns The values, longest first.
 * @example Redact the values of your own keys wherever they appear
 * ```ts
 * import { knownSecretValues, redactSecrets } from "jsr:@looplet/looplet/hooks";
 * const env = { MY_SERVICE_TOKEN: "tok-1234567890", PATH: "/usr/bin" };
 * const redact = redactSecrets({ values: knownSecretValues(env) });
 * redact("got tok-1234567890 from /usr/bin"); // "got [REDACTED] from /usr/bin"
 * ```
 */
export function knownSecretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string" && value.length >= 8 && SECRET_NAME.test(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}
