/**
 * Similarity of two strings by the Ratcliff/Obershelp algorithm (the one
 * Python's `difflib.SequenceMatcher.ratio` uses): 2·matches / total length.
 */
function similarity(a: string, b: string): number {
  const total = a.length + b.length;
  return total === 0 ? 1 : (2 * matchingCharacters(a, b)) / total;
}

function matchingCharacters(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let bestLength = 0;
  let bestA = 0;
  let bestB = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        const length = (previous[j - 1] ?? 0) + 1;
        current[j] = length;
        if (length > bestLength) {
          bestLength = length;
          bestA = i - bestLength;
          bestB = j - bestLength;
        }
      }
    }
    previous = current;
  }
  if (bestLength === 0) return 0;
  return bestLength +
    matchingCharacters(a.slice(0, bestA), b.slice(0, bestB)) +
    matchingCharacters(a.slice(bestA + bestLength), b.slice(bestB + bestLength));
}

/**
 * The closest name to `name` among `choices`, or `undefined` when none is
 * similar enough. Used for "did you mean" hints.
 *
 * @param name The name that was not found.
 * @param choices Valid names.
 * @param cutoff Minimum similarity in [0, 1]. @default 0.6
 * @returns The best match, or `undefined`.
 * @example
 * ```ts
 * import { suggestSimilar } from "jsr:@looplet/looplet";
 * suggestSimilar("scann", ["scan", "search"]); // "scan"
 * ```
 */
export function suggestSimilar(
  name: string,
  choices: Iterable<string>,
  cutoff = 0.6,
): string | undefined {
  let best: string | undefined;
  let bestScore = cutoff;
  for (const choice of choices) {
    const score = similarity(name.toLowerCase(), choice.toLowerCase());
    if (score > bestScore || (score === bestScore && best === undefined)) {
      best = choice;
      bestScore = score;
    }
  }
  return best;
}
