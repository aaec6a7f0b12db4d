/**
 * The run command's terminal output helpers: colours, plurals, and the live
 * line that shows what is happening now (thinking, a running tool with its
 * elapsed time and latest progress message).
 *
 * @module
 */
import process from "node:process";

const COLOURS = { green: 32, red: 31, dim: 2, bold: 1, cyan: 36, yellow: 33 } as const;

/** Colour text when `on`. */
export function paint(on: boolean, colour: keyof typeof COLOURS, text: string): string {
  return on ? `\x1b[${COLOURS[colour]}m${text}\x1b[0m` : text;
}

/** `1 step`, `2 steps`; `many` when the plural is not `one + "s"`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The one line rewritten in place on a terminal. */
export interface LiveLine {
  /** Show a spinner with a label and the seconds since this call. */
  start(label: string): void;
  /** Add a tool's latest progress message to the running line. */
  progress(message: string): void;
  /** A one-off status line (on a terminal it is replaced by the next; elsewhere it is printed). */
  note(text: string): void;
  /** Erase the line and stop the timer. */
  clear(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A live line on the terminal. Off a terminal (`enabled` false) `start` and
 * `progress` do nothing and `note` prints to standard error, so logs keep
 * the status lines and never the redraws.
 *
 * @param enabled Draw on the terminal.
 * @param colour Use colours.
 * @param printError Where notes go when not drawing.
 */
export function liveLine(
  enabled: boolean,
  colour: boolean,
  printError: (text: string) => void = (text) => console.error(text),
): LiveLine {
  let timer: ReturnType<typeof setInterval> | undefined;
  let shown = false;
  let label = "";
  let latest = "";
  let started = 0;
  let frame = 0;
  const write = (text: string) => process.stdout.write(text);
  const columns = () => Math.max(40, (process.stdout.columns || 80) - 1);
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const tail = latest === "" ? "" : ` · ${latest}`;
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s${tail}`.slice(
      0,
      columns(),
    );
    write(`\r\x1b[2K${paint(colour, "cyan", text)}`);
    shown = true;
  };
  const clear = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    if (shown) write("\r\x1b[2K");
    shown = false;
  };
  return {
    start(text) {
      if (!enabled) return;
      clear();
      label = text;
      latest = "";
      started = Date.now();
      draw();
      timer = setInterval(draw, 100);
    },
    progress(message) {
      if (!enabled || timer === undefined) return;
      latest = message.replace(/\s+/g, " ").trim();
      draw();
    },
    note(text) {
      if (!enabled) return printError(text);
      clear();
      write(paint(colour, "dim", text));
      shown = true;
    },
    clear,
  };
}
