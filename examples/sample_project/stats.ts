/** Arithmetic mean of a non-empty list. */
export function mean(values: number[]): number {
  if (values.length === 0) throw new RangeError("mean() needs at least one value");
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new RangeError("median() needs at least one value");
  return middle;
}
