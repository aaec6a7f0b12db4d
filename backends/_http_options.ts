/**
 * Checks of the options the fetch backends share.
 *
 * @module
 */

/** Validate and normalise a base URL (no trailing slash). */
export function checkBaseUrl(baseUrl: unknown, owner: string): string {
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
