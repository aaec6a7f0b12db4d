/**
 * A fast reader for the common, flat SKILL.md front matter: `key: value`
 * lines with plain or simply quoted scalars, inline `[a, b]` lists, block
 * `- item` lists and indented plain continuations. It returns undefined as
 * soon as it meets anything else, and callers then use the full YAML
 * parser (`readSkillMd`), so the two always agree on what they accept.
 */

const KEY = /^([A-Za-z_][\w-]*):(?:\s+(.*))?$/;
const UNSAFE_START = /^[&*!|>{%@`]/;

function scalar(raw: string): { value: unknown } | undefined {
  let text = raw.trim();
  if (text === "") return { value: null };
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) return undefined;
    try {
      return { value: JSON.parse(text) };
    } catch {
      return undefined;
    }
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) return undefined;
    return { value: text.slice(1, -1).replace(/''/g, "'") };
  }
  const comment = text.search(/\s#/);
  if (comment >= 0) text = text.slice(0, comment).trimEnd();
  if (text.startsWith("#")) return { value: null };
  if (
    UNSAFE_START.test(text) || text.includes(": ") || text.endsWith(":") || text.startsWith("- ")
  ) {
    return undefined;
  }
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) return undefined;
    const inner = text.slice(1, -1).trim();
    if (inner === "") return { value: [] };
    const items: unknown[] = [];
    for (const part of inner.split(",")) {
      if (/[[\]{}]/.test(part)) return undefined;
      const item = scalar(part);
      if (item === undefined || part.trim() === "") return undefined;
      items.push(item.value);
    }
    return { value: items };
  }
  if (/^(true|True|TRUE)$/.test(text)) return { value: true };
  if (/^(false|False|FALSE)$/.test(text)) return { value: false };
  if (/^(null|Null|NULL|~)$/.test(text)) return { value: null };
  if (/^[-+]?\d+$/.test(text)) return { value: Number(text) };
  if (/^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$/.test(text)) return { value: Number(text) };
  if (/^0[xo]|^[-+]?\.(inf|nan)$/i.test(text)) return undefined;
  return { value: text };
}

/** Parse flat front-matter lines, or return undefined when they need the full YAML parser. */
export function parseFlatFrontMatter(
  lines: readonly string[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let index = 0;
  for (let line = lines[index]; line !== undefined; line = lines[index]) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) {
      index++;
      continue;
    }
    if (/^\s/.test(line) || line.includes("\t")) return undefined;
    const match = KEY.exec(line);
    if (!match) return undefined;
    const [, key = "", rest = ""] = match;
    if (key in out) return undefined;
    index++;
    // Indented lines after the key: a block list or a folded plain scalar.
    const block: string[] = [];
    for (
      let next = lines[index];
      next !== undefined && (/^\s+\S/.test(next) || next.trim() === "");
      next = lines[++index]
    ) {
      if (next.trim() === "") {
        // A blank line inside a block changes folding rules; leave it to YAML.
        if (/^\s+\S/.test(lines[index + 1] ?? "")) return undefined;
      } else block.push(next.trim());
    }
    if (block.length === 0) {
      const value = scalar(rest);
      if (value === undefined) return undefined;
      out[key] = value.value;
    } else if (rest.trim() === "" && block.every((item) => item.startsWith("- "))) {
      const items: unknown[] = [];
      for (const item of block) {
        const value = scalar(item.slice(2));
        if (value === undefined) return undefined;
        items.push(value.value);
      }
      out[key] = items;
    } else {
      if (rest.trim().startsWith('"') || rest.trim().startsWith("'")) return undefined;
      const parts = [rest.trim(), ...block].filter((part) => part !== "");
      if (parts.some((part) => part.startsWith("- ") || part.startsWith("#"))) return undefined;
      const value = scalar(parts.join(" "));
      if (value === undefined || typeof value.value !== "string") return undefined;
      out[key] = value.value;
    }
  }
  return out;
}
