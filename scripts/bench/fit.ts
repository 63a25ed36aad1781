/** y = a + b·x by least squares, with the coefficient of determination. */
export interface LinearFit {
  readonly a: number;
  readonly b: number;
  readonly r2: number;
}

/** Ordinary least squares over the points; needs at least two distinct x. */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): LinearFit {
  const n = points.length;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - meanX) ** 2, 0);
  if (n < 2 || sxx === 0) throw new Error(`linear fit: need at least two distinct sizes, found ${n} point(s)`);
  const sxy = points.reduce((s, [x, y]) => s + (x - meanX) * (y - meanY), 0);
  const b = sxy / sxx;
  const a = meanY - b * meanX;
  const ssTot = points.reduce((s, [, y]) => s + (y - meanY) ** 2, 0);
  const ssRes = points.reduce((s, [x, y]) => s + (y - (a + b * x)) ** 2, 0);
  return { a, b, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}
