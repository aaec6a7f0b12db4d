/**
 * Checks of the options the fetch backends share.
 *
 * @module
 */

/** Validate and normalise a base URL (no trailing slash). */
function checkBaseUrl(baseUrl: unknown, owner: string): string {
  if (typeof baseUrl !== "string") {
    throw new TypeError(`Cannot create ${owner}: 'baseUrl' must be a URL string`);
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(
      `Cannot create ${owner}: 'baseUrl' is not a URL: "${baseUrl}"; ` +
        `for example http://localhost:11434/v1`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot create ${owner}: 'baseUrl' must use http or https: "${baseUrl}"`);
  }
  return baseUrl.replace(/\/+$/, "");
}

/** Throw a RangeError unless `value` is a positive finite number. */
export function checkPositive(field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Cannot create backend: '${field}' must be a positive number, got ${String(value)}`,
    );
  }
}

/** The options every fetch backend takes and checks the same way. */
export interface SharedOptions {
  readonly model: unknown;
  readonly baseUrl: unknown;
  readonly timeoutMs: unknown;
  readonly maxReplyLength: unknown;
  readonly maxTokens?: unknown;
  readonly contextWindow?: unknown;
  readonly fetch: unknown;
}

/**
 * Check the options every fetch backend shares; `maxTokens` and
 * `contextWindow` only when set.
 *
 * @returns The base URL without trailing slashes.
 * @throws {TypeError} When `model` is missing, `baseUrl` is malformed or `fetch` is not a function.
 * @throws {RangeError} When a number option is not a positive number.
 */
export function checkSharedOptions(
  owner: string,
  exampleModel: string,
  options: SharedOptions,
): string {
  const { model, timeoutMs, maxReplyLength, maxTokens, contextWindow } = options;
  if (typeof model !== "string" || model.trim() === "") {
    throw new TypeError(
      `Cannot create ${owner}: 'model' must be a model name such as "${exampleModel}", got ${
        JSON.stringify(model)
      }`,
    );
  }
  const baseUrl = checkBaseUrl(options.baseUrl, owner);
  checkPositive("timeoutMs", timeoutMs);
  checkPositive("maxReplyLength", maxReplyLength);
  if (maxTokens !== undefined) checkPositive("maxTokens", maxTokens);
  if (contextWindow !== undefined) checkPositive("contextWindow", contextWindow);
  if (typeof options.fetch !== "function") {
    throw new TypeError(`Cannot create ${owner}: 'fetch' must be a function`);
  }
  return baseUrl;
}
