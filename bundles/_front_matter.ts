/**
 * A fast reader for the common, flat SKILL.md front matter, so that
 * discovery need not load the YAML parser. It reads only a small subset on
 * which it agrees with YAML exactly (tests/e2e/fuzz checks this on generated
 * input) and returns undefined for anything else; callers then use the full
 * YAML reader (`readSkillMd`):
 *
 * - `key: value` lines, one per key, at the start of the line;
 * - a value that is a plain scalar starting with a letter and holding no
 *   `:` or `#`, a small integer, `true`/`false`/`null`, a single- or
 *   double-quoted string without backslashes, an inline list `[a, b]` of
 *   such plain scalars, or nothing followed by a block list of `- item`
 *   lines, all indented alike;
 * - blank lines and `#` comment lines between keys.
 */

const KEY = /^([A-Za-z_][\w-]*):(?: +(.*))?$/;
/** Printable text YAML reads as is in a plain scalar, with no `:` or `#`. */
const PLAIN =
  /^[A-Za-z][\x20-\x22\x24-\x39\x3b-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
/** The same, also without YAML's flow indicators, for items of `[a, b]`. */
const FLOW_ITEM =
  /^[A-Za-z][\x20-\x22\x24-\x2b\x2d-\x39\x3b-\x5a\x5c\x5e-\x7a\x7c\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
const INTEGER = /^(0|[1-9][0-9]{0,8})$/;
const KEYWORDS: Record<string, unknown> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  null: null,
  Null: null,
  NULL: null,
};

/** A plain or quoted scalar, or undefined when only YAML can tell. */
function scalar(raw: string, item = false): { value: unknown } | undefined {
  const text = raw.replace(/ +$/, "");
  if (text === "" || text === "~") return { value: null };
  if (INTEGER.test(text)) return { value: Number(text) };
  if (Object.hasOwn(KEYWORDS, text)) return { value: KEYWORDS[text] };
  if (!item && /^"[^"\\]*"$/.test(text) && PLAIN.test(`a${text.slice(1, -1)}`)) {
    return { value: text.slice(1, -1) };
  }
  if (!item && /^'(?:[^']|'')*'$/.test(text) && PLAIN.test(`a${text.slice(1, -1)}`)) {
    return { value: text.slice(1, -1).replaceAll("''", "'") };
  }
  const rule = item ? FLOW_ITEM : PLAIN;
  if (!rule.test(text) || /^(yes|no|on|off|y|n)$/i.test(text)) return undefined;
  return { value: text };
}

/** Parse flat front-matter lines, or return undefined when they need the full YAML parser. */
export function parseFlatFrontMatter(
  lines: readonly string[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let index = 0;
  for (let line = lines[index]; line !== undefined; line = lines[index]) {
    if (line === "" || line.startsWith("#")) {
      index++;
      continue;
    }
    const match = KEY.exec(line);
    if (!match) return undefined;
    const [, key = "", rest = ""] = match;
    if (Object.hasOwn(out, key) || key === "__proto__") return undefined;
    index++;
    const first = lines[index] ?? "";
    if (rest.trim() === "" && /^ +- /.test(first)) {
      const indent = /^ +/.exec(first)?.[0] ?? "";
      const items: unknown[] = [];
      for (let item = lines[index]; item?.startsWith(`${indent}- `); item = lines[index]) {
        const text = item.slice(indent.length + 2);
        const value = scalar(text);
        if (value === undefined || text.trim() === "") return undefined;
        items.push(value.value);
        index++;
      }
      // Anything indented after the list (a continuation, a nested list) is YAML's business.
      if (/^\s+\S/.test(lines[index] ?? "")) return undefined;
      out[key] = items;
      continue;
    }
    if (/^\s+\S/.test(first)) return undefined;
    if (rest.startsWith("[")) {
      if (!/^\[[^\[\]]*\] *$/.test(rest)) return undefined;
      const inner = rest.replace(/ +$/, "").slice(1, -1);
      if (inner.trim() === "") {
        out[key] = [];
        continue;
      }
      const items: unknown[] = [];
      for (const part of inner.split(",")) {
        const value = scalar(part.trim(), true);
        if (value === undefined || typeof value.value !== "string") return undefined;
        items.push(value.value);
      }
      out[key] = items;
      continue;
    }
    const value = scalar(rest);
    if (value === undefined) return undefined;
    out[key] = value.value;
  }
  return out;
}
