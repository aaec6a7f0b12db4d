// A regular-expression matcher whose time is linear in the text: a schema's
// `pattern` comes from the MCP server and the text from the model, and
// JavaScript's backtracking engine takes exponential time on `^(a+)+$`.
// The pattern is read as JavaScript reads it with the `u` flag (it must
// compile with `new RegExp(source, "u")` first) and run as a Thompson NFA:
// every state is visited at most once per position. One-character pieces
// (literals, `.`, classes, `\d`, `\p{…}`) are tested by JavaScript's own
// engine on one character, which cannot backtrack. Lookarounds are computed
// for every position in one pass each (lookaheads scan the text backwards).

/** Most NFA states a pattern may compile to (`a{5000}` is 5,000). */
const MAX_STATES = 4_000;
/** Most state visits one `test` may make; past it the answer is unknown. */
const MAX_VISITS = 20_000_000;
/** Most group nesting read (the parser is recursive). */
const MAX_NESTING = 200;

/** A pattern compiled for the linear matcher. */
export interface LinearRegex {
  /** Whether the pattern matches somewhere in `text`; `undefined` when it would take too long. */
  test(text: string): boolean | undefined;
}

/** Why a pattern was not compiled (it then cannot be checked in linear time). */
export interface Unsupported {
  readonly unsupported: string;
}

type Node =
  | { readonly kind: "char"; readonly source: string }
  | { readonly kind: "assert"; readonly at: "start" | "end" | "word" | "notWord" }
  | {
    readonly kind: "look";
    readonly ahead: boolean;
    readonly negate: boolean;
    readonly body: Node;
  }
  | { readonly kind: "seq"; readonly items: readonly Node[] }
  | { readonly kind: "alt"; readonly options: readonly Node[] }
  | { readonly kind: "repeat"; readonly min: number; readonly max: number; readonly body: Node };

class NotLinear extends Error {}

/**
 * Compile a pattern that `new RegExp(source, "u")` accepts. Backreferences,
 * modifiers such as `(?i:…)` and patterns over MAX_STATES are not supported.
 */
export function linearRegex(source: string): LinearRegex | Unsupported {
  try {
    const tree = new Parser(source).parse();
    const compiled = new Compiler();
    const main = compiled.program(tree);
    return { test: (text) => new Run(compiled, text).matches(main) };
  } catch (error) {
    if (error instanceof NotLinear) return { unsupported: error.message };
    throw error;
  }
}

/** Reads the `u`-flag syntax into a tree; the source is known to compile. */
class Parser {
  readonly #source: string;
  #at = 0;
  #nesting = 0;

  constructor(source: string) {
    this.#source = source;
  }

  parse(): Node {
    const tree = this.#alternatives();
    if (this.#at < this.#source.length) throw new NotLinear("unbalanced parenthesis");
    return tree;
  }

  #alternatives(): Node {
    if (++this.#nesting > MAX_NESTING) throw new NotLinear(`nests deeper than ${MAX_NESTING}`);
    const options = [this.#sequence()];
    while (this.#source[this.#at] === "|") {
      this.#at++;
      options.push(this.#sequence());
    }
    this.#nesting--;
    return options.length === 1 ? options[0]! : { kind: "alt", options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    while (this.#at < this.#source.length) {
      const char = this.#source[this.#at]!;
      if (char === "|" || char === ")") break;
      const atom = this.#atom();
      items.push(this.#quantified(atom));
    }
    return items.length === 1 ? items[0]! : { kind: "seq", items };
  }

  #atom(): Node {
    const source = this.#source;
    const start = this.#at;
    const char = source[start]!;
    if (char === "^" || char === "$") {
      this.#at++;
      return { kind: "assert", at: char === "^" ? "start" : "end" };
    }
    if (char === "(") return this.#group();
    if (char === "[") {
      let end = start + 1;
      if (source[end] === "^") end++;
      while (end < source.length && source[end] !== "]") end += source[end] === "\\" ? 2 : 1;
      this.#at = end + 1;
      return { kind: "char", source: source.slice(start, end + 1) };
    }
    if (char === "\\") return this.#escape();
    this.#at += (source.codePointAt(start) ?? 0) > 0xffff ? 2 : 1;
    return { kind: "char", source: source.slice(start, this.#at) };
  }

  #group(): Node {
    const source = this.#source;
    const head = /^\((\?(?:[:=!]|<[=!]|<[^>]*>))?/.exec(source.slice(this.#at, this.#at + 300));
    const opener = head?.[1] ?? "";
    if (source[this.#at + 1] === "?" && opener === "") {
      throw new NotLinear("uses modifiers such as (?i:…)");
    }
    this.#at += 1 + opener.length;
    const body = this.#alternatives();
    this.#at++; // ")"
    if (opener === "?=" || opener === "?!") {
      return { kind: "look", ahead: true, negate: opener === "?!", body };
    }
    if (opener === "?<=" || opener === "?<!") {
      return { kind: "look", ahead: false, negate: opener === "?<!", body };
    }
    return body;
  }

  #escape(): Node {
    const source = this.#source;
    const start = this.#at;
    const letter = source[start + 1] ?? "";
    let end = start + 2;
    if (letter === "b" || letter === "B") {
      this.#at = end;
      return { kind: "assert", at: letter === "b" ? "word" : "notWord" };
    }
    if (/[1-9k]/.test(letter)) throw new NotLinear("uses a backreference");
    if (letter === "u" && source[end] === "{") end = source.indexOf("}", end) + 1;
    else if (letter === "u") {
      end += 4;
      const lead = parseInt(source.slice(start + 2, end), 16);
      if (lead >= 0xd800 && lead <= 0xdbff && /^\\u[dD][c-fC-F]/.test(source.slice(end))) end += 6;
    } else if (letter === "x") end += 2;
    else if (letter === "c") end += 1;
    else if ((letter === "p" || letter === "P") && source[end] === "{") {
      end = source.indexOf("}", end) + 1;
    }
    this.#at = end;
    return { kind: "char", source: source.slice(start, end) };
  }

  #quantified(atom: Node): Node {
    const source = this.#source;
    const char = source[this.#at];
    let min: number;
    let max: number;
    if (char === "*" || char === "+" || char === "?") {
      this.#at++;
      [min, max] = char === "*" ? [0, Infinity] : char === "+" ? [1, Infinity] : [0, 1];
    } else if (char === "{") {
      const bounds = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(this.#at, this.#at + 40));
      if (bounds === null) throw new NotLinear("has a repetition count too large to read");
      this.#at += bounds[0].length;
      min = Number(bounds[1]);
      max = bounds[2] === undefined ? min : bounds[3] === "" ? Infinity : Number(bounds[3]);
    } else return atom;
    if (source[this.#at] === "?") this.#at++; // lazy: the same strings match
    if (Math.max(min, max === Infinity ? min : max) > MAX_STATES) {
      throw new NotLinear(`repeats more than ${MAX_STATES} times`);
    }
    return { kind: "repeat", min, max, body: atom };
  }
}

const CHAR = 0;
const SPLIT = 1;
const ASSERT = 2;
const MATCH = 3;
const AT_START = -1;
const AT_END = -2;
const AT_WORD = -3;
const AT_NOT_WORD = -4;

/** One program: where it starts; `ahead` programs read the text backwards. */
interface Program {
  readonly start: number;
  readonly backwards: boolean;
}

/** A lookaround: its program and whether it is negated. */
interface Look {
  readonly program: Program;
  readonly negate: boolean;
}

/**
 * NFA states in flat arrays (`op`, then two arguments): CHAR(matcher, next),
 * SPLIT(a, b), ASSERT(what, next), MATCH. Lookaround bodies are programs of
 * their own, compiled before the program that uses them.
 */
class Compiler {
  readonly op: number[] = [];
  readonly first: number[] = [];
  readonly second: number[] = [];
  readonly matchers: ((codePoint: number) => boolean)[] = [];
  readonly looks: Look[] = [];
  readonly #bySource = new Map<string, number>();

  program(tree: Node, backwards = false): Program {
    const match = this.#state(MATCH, 0, 0);
    return { start: this.#emit(backwards ? reversed(tree) : tree, match), backwards };
  }

  #state(op: number, first: number, second: number): number {
    if (this.op.length >= MAX_STATES) throw new NotLinear(`needs over ${MAX_STATES} states`);
    this.op.push(op);
    this.first.push(first);
    this.second.push(second);
    return this.op.length - 1;
  }

  /** The first state of `node`, continuing to `next`. */
  #emit(node: Node, next: number): number {
    switch (node.kind) {
      case "char":
        return this.#state(CHAR, this.#matcher(node.source), next);
      case "assert": {
        const what = { start: AT_START, end: AT_END, word: AT_WORD, notWord: AT_NOT_WORD }[node.at];
        return this.#state(ASSERT, what, next);
      }
      case "look": {
        const program = this.program(node.body, node.ahead);
        this.looks.push({ program, negate: node.negate });
        return this.#state(ASSERT, this.looks.length - 1, next);
      }
      case "seq":
        return node.items.reduceRight((after, item) => this.#emit(item, after), next);
      case "alt": {
        const starts = node.options.map((option) => this.#emit(option, next));
        return starts.reduceRight((after, start) => this.#state(SPLIT, start, after));
      }
      case "repeat": {
        let start = next;
        if (node.max === Infinity) {
          start = this.#state(SPLIT, 0, next);
          this.first[start] = this.#emit(node.body, start);
        } else {
          for (let i = node.min; i < node.max; i++) {
            start = this.#state(SPLIT, this.#emit(node.body, start), next);
          }
        }
        for (let i = 0; i < node.min; i++) start = this.#emit(node.body, start);
        return start;
      }
    }
  }

  /** A test of one code point by JavaScript's engine (no quantifier: it cannot backtrack). */
  #matcher(source: string): number {
    const known = this.#bySource.get(source);
    if (known !== undefined) return known;
    const regex = new RegExp(`^(?:${source})$`, "u");
    const ascii = new Int8Array(128); // 0 unknown, 1 no, 2 yes
    this.matchers.push((codePoint) => {
      if (codePoint < 128) {
        if (ascii[codePoint] === 0) {
          ascii[codePoint] = regex.test(String.fromCharCode(codePoint)) ? 2 : 1;
        }
        return ascii[codePoint] === 2;
      }
      return regex.test(String.fromCodePoint(codePoint));
    });
    this.#bySource.set(source, this.matchers.length - 1);
    return this.matchers.length - 1;
  }
}

/** The tree that matches the reversed strings (for reading the text backwards). */
function reversed(node: Node): Node {
  switch (node.kind) {
    case "seq":
      return { kind: "seq", items: node.items.map(reversed).reverse() };
    case "alt":
      return { kind: "alt", options: node.options.map(reversed) };
    case "repeat":
      return { ...node, body: reversed(node.body) };
    default:
      return node; // characters, assertions and lookarounds hold at a position, whatever the direction
  }
}

function isWord(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
    code === 95;
}

/** One text matched against the compiled programs. */
class Run {
  readonly #code: Compiler;
  readonly #text: string;
  /** For each lookaround, per position: 1 when it holds. */
  readonly #looks: Uint8Array[] = [];
  readonly #seen: Int32Array;
  /** The CHAR states waiting at the current and the next position. */
  readonly #current: Int32Array;
  readonly #next: Int32Array;
  #count = 0;
  /** Each state pushes at most two: the stack never holds more than twice the states, plus one. */
  readonly #stack: Int32Array;
  #generation = 0;
  #visits = 0;

  constructor(code: Compiler, text: string) {
    this.#code = code;
    this.#text = text;
    const states = code.op.length;
    this.#seen = new Int32Array(states);
    this.#current = new Int32Array(states);
    this.#next = new Int32Array(states);
    this.#stack = new Int32Array(2 * states + 1);
  }

  matches(main: Program): boolean | undefined {
    for (const look of this.#code.looks) {
      const holds = this.#scan(look.program, false);
      if (holds === undefined) return undefined;
      if (look.negate) { for (let i = 0; i < holds.length; i++) holds[i] = holds[i] ? 0 : 1; }
      this.#looks.push(holds);
    }
    const found = this.#scan(main, true);
    return found === undefined ? undefined : found.length > 0;
  }

  /**
   * Run a program from every position at once. Returns the positions where
   * it matched (reading forwards: where a match ends; backwards: where it
   * starts); with `first`, stops at the first match (an empty array means none).
   */
  #scan(program: Program, first: boolean): Uint8Array | undefined {
    const text = this.#text;
    const { first: argument, second, matchers } = this.#code;
    const holds = new Uint8Array(first ? 0 : text.length + 1);
    let current = this.#current;
    let next = this.#next;
    let position = program.backwards ? text.length : 0;
    this.#generation++;
    this.#count = 0;
    let matched = this.#close(program.start, position, current);
    let count = this.#count;
    for (;;) {
      if (this.#visits > MAX_VISITS) return undefined;
      if (matched) {
        if (first) return new Uint8Array(1);
        holds[position] = 1;
      }
      if (program.backwards ? position === 0 : position === text.length) break;
      let codePoint: number;
      let after: number;
      if (program.backwards) {
        const low = text.charCodeAt(position - 1);
        const high = position >= 2 ? text.charCodeAt(position - 2) : 0;
        const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
        after = position - (pair ? 2 : 1);
        codePoint = text.codePointAt(after)!;
      } else {
        codePoint = text.codePointAt(position)!;
        after = position + (codePoint > 0xffff ? 2 : 1);
      }
      this.#generation++; // one generation per position: a state joins its list once
      this.#count = 0;
      matched = false;
      for (let i = 0; i < count; i++) {
        const state = current[i]!;
        if (matchers[argument[state]!]!(codePoint) && this.#close(second[state]!, after, next)) {
          matched = true;
        }
      }
      if (this.#close(program.start, after, next)) matched = true; // a match may start anywhere
      [current, next] = [next, current];
      count = this.#count;
      position = after;
    }
    return first ? new Uint8Array(0) : holds;
  }

  /**
   * Add `state` and every state reachable from it without reading, at
   * `position`, to `out` (from `#count` on); true when MATCH is reached.
   */
  #close(state: number, position: number, out: Int32Array): boolean {
    const { op, first, second } = this.#code;
    const seen = this.#seen;
    const stack = this.#stack;
    let depth = 0;
    stack[depth++] = state;
    let matched = false;
    while (depth > 0) {
      const at = stack[--depth]!;
      if (seen[at] === this.#generation) continue;
      seen[at] = this.#generation;
      this.#visits++;
      switch (op[at]) {
        case CHAR:
          out[this.#count++] = at;
          break;
        case MATCH:
          matched = true;
          break;
        case SPLIT:
          stack[depth++] = second[at]!;
          stack[depth++] = first[at]!;
          break;
        default:
          if (this.#holds(first[at]!, position)) stack[depth++] = second[at]!;
      }
    }
    return matched;
  }

  #holds(what: number, position: number): boolean {
    const text = this.#text;
    switch (what) {
      case AT_START:
        return position === 0;
      case AT_END:
        return position === text.length;
      case AT_WORD:
      case AT_NOT_WORD: {
        const before = position > 0 && isWord(text.charCodeAt(position - 1));
        const after = position < text.length && isWord(text.charCodeAt(position));
        return (before !== after) === (what === AT_WORD);
      }
      default:
        return this.#looks[what]![position] === 1;
    }
  }
}
