/**
 * HAR-RV (Corsi 2009): the next days' realized variance regressed by OLS on the daily, weekly and monthly
 * averages of past daily realized variance,
 *
 *   RV_{t+1..t+h} = b0 + bd RV_t + bw mean(RV_{t-4..t}) + bm mean(RV_{t-21..t}) + error,
 *
 * where the left side is the mean of RV over the h days after t (h = 1 is Corsi's model and the reference design
 * of shared/reference/forecast_reference.json; h = 7 and 30 are the "direct" multi-horizon regressions). A row
 * exists for every t with 21 days of history before it and h days after it: 1361 rows for the reference's 1383 days.
 *
 * Least squares by Householder QR (the numerically stable route `numpy.linalg.lstsq`'s SVD also takes; the normal
 * equations would square the condition number and lose the 1e-9 agreement).
 */

export interface HarRow {
  /** Index t of the last day of RV the features use. */
  day: number;
  features: [number, number, number];
  target: number;
}

export const HAR_DAILY = 1;
export const HAR_WEEKLY = 5;
export const HAR_MONTHLY = 22;

/** HAR features at day t: [RV_t, mean RV_{t-4..t}, mean RV_{t-21..t}], or null with fewer than 22 days. */
export function harFeatures(rv: readonly number[], t: number): [number, number, number] | null {
  if (t < HAR_MONTHLY - 1 || t >= rv.length) return null;
  let week = 0;
  let month = 0;
  for (let k = 0; k < HAR_MONTHLY; k++) {
    const value = rv[t - k]!;
    if (k < HAR_WEEKLY) week += value;
    month += value;
  }
  return [rv[t]!, week / HAR_WEEKLY, month / HAR_MONTHLY];
}

/** Mean of rv over t+1..t+h, or null when the series ends before t+h. */
export function futureMean(rv: readonly number[], t: number, horizonDays: number): number | null {
  if (t + horizonDays >= rv.length) return null;
  let sum = 0;
  for (let k = 1; k <= horizonDays; k++) sum += rv[t + k]!;
  return sum / horizonDays;
}

/** Every complete regression row, in day order. */
export function harRows(rv: readonly number[], horizonDays = 1): HarRow[] {
  const rows: HarRow[] = [];
  for (let t = HAR_MONTHLY - 1; t + horizonDays < rv.length; t++) {
    rows.push({ day: t, features: harFeatures(rv, t)!, target: futureMean(rv, t, horizonDays)! });
  }
  return rows;
}

export interface HarFit {
  /** [b0, bd, bw, bm]. */
  coefficients: [number, number, number, number];
  rows: number;
  horizonDays: number;
}

/**
 * Least squares of y on the columns of X (row-major, `rows x columns`) by Householder QR. Throws a RangeError when
 * there are fewer rows than columns or a column is (numerically) dependent on the others.
 */
export function leastSquares(design: Float64Array, y: Float64Array, rows: number, columns: number): Float64Array {
  if (rows < columns) throw new RangeError(`least squares needs at least ${columns} rows, got ${rows}`);
  const a = Float64Array.from(design);
  const b = Float64Array.from(y);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  for (let k = 0; k < columns; k++) {
    let norm = 0;
    for (let i = k; i < rows; i++) norm += a[i * columns + k]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-13 * scale * Math.sqrt(rows))) throw new RangeError(`least squares: column ${k} is linearly dependent on the others`);
    const alpha = a[k * columns + k]! > 0 ? -norm : norm;
    // v = x - alpha e1, stored in place of column k (below the diagonal) with v_k kept apart.
    const vk = a[k * columns + k]! - alpha;
    a[k * columns + k] = vk;
    let vNorm2 = vk * vk;
    for (let i = k + 1; i < rows; i++) vNorm2 += a[i * columns + k]! ** 2;
    for (let j = k + 1; j < columns; j++) {
      let dot = 0;
      for (let i = k; i < rows; i++) dot += a[i * columns + k]! * a[i * columns + j]!;
      const f = (2 * dot) / vNorm2;
      for (let i = k; i < rows; i++) a[i * columns + j] = a[i * columns + j]! - f * a[i * columns + k]!;
    }
    let dot = 0;
    for (let i = k; i < rows; i++) dot += a[i * columns + k]! * b[i]!;
    const f = (2 * dot) / vNorm2;
    for (let i = k; i < rows; i++) b[i] = b[i]! - f * a[i * columns + k]!;
    a[k * columns + k] = alpha;
  }
  const x = new Float64Array(columns);
  for (let k = columns - 1; k >= 0; k--) {
    let sum = b[k]!;
    for (let j = k + 1; j < columns; j++) sum -= a[k * columns + j]! * x[j]!;
    x[k] = sum / a[k * columns + k]!;
  }
  return x;
}

/** OLS fit of HAR on the given rows (all of them, or a training prefix). */
export function fitHar(rows: readonly HarRow[], horizonDays = 1): HarFit {
  const n = rows.length;
  const design = new Float64Array(n * 4);
  const y = new Float64Array(n);
  rows.forEach((row, i) => {
    design[i * 4] = 1;
    design[i * 4 + 1] = row.features[0];
    design[i * 4 + 2] = row.features[1];
    design[i * 4 + 3] = row.features[2];
    y[i] = row.target;
  });
  const b = leastSquares(design, y, n, 4);
  return { coefficients: [b[0]!, b[1]!, b[2]!, b[3]!], rows: n, horizonDays };
}

/** The fitted mean RV over the next h days from the features at t. */
export function harPredict(fit: Pick<HarFit, 'coefficients'>, features: readonly [number, number, number]): number {
  const [b0, bd, bw, bm] = fit.coefficients;
  return b0 + bd * features[0] + bw * features[1] + bm * features[2];
}
