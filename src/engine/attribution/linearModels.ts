/**
 * Small dense weighted regressions in float64 on the host, for the surrogate
 * models of KernelSHAP and LIME: least squares (normal equations) and the
 * Lasso (cyclic coordinate descent).
 */

/** A design matrix: `rows` x `columns`, row-major. */
export interface Design {
  values: Float64Array;
  rows: number;
  columns: number;
}

export interface LinearFit {
  coefficients: Float64Array;
  intercept: number;
}

/**
 * Solves A x = b for a symmetric positive semi-definite A (n x n, row-major) by
 * Gaussian elimination with partial pivoting. When A is singular (fewer distinct
 * samples than unknowns) a ridge of 1e-10 x mean diagonal picks the small-norm solution.
 */
export function solveNormalEquations(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const exact = gaussianElimination(a, b, n);
  if (exact) return exact;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i]!;
  const ridge = Math.max(1e-10 * (trace / n), 1e-300);
  const regularised = Float64Array.from(a);
  for (let i = 0; i < n; i++) regularised[i * n + i] += ridge;
  const solution = gaussianElimination(regularised, b, n);
  if (!solution) throw new Error('the surrogate regression is degenerate (no coalition varies the features)');
  return solution;
}

function gaussianElimination(aIn: Float64Array, bIn: Float64Array, n: number): Float64Array | undefined {
  const a = Float64Array.from(aIn);
  const b = Float64Array.from(bIn);
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  const tolerance = scale * n * 1e-13;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = row;
    if (!(Math.abs(a[pivot * n + col]!) > tolerance)) return undefined;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k]!, a[col * n + k]!];
      [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    }
    for (let row = col + 1; row < n; row++) {
      const factor = a[row * n + col]! / a[col * n + col]!;
      if (factor === 0) continue;
      for (let k = col; k < n; k++) a[row * n + k] -= factor * a[col * n + k]!;
      b[row] -= factor * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let row = n - 1; row >= 0; row--) {
    let rest = b[row]!;
    for (let k = row + 1; k < n; k++) rest -= a[row * n + k]! * x[k]!;
    x[row] = rest / a[row * n + row]!;
  }
  return x;
}

function checkSizes(design: Design, y: ArrayLike<number>, weights: ArrayLike<number>): void {
  if (design.values.length !== design.rows * design.columns) throw new Error('design values do not match rows x columns');
  if (y.length !== design.rows) throw new Error(`targets have ${y.length} entries but the design has ${design.rows} rows`);
  if (weights.length !== design.rows) throw new Error(`weights have ${weights.length} entries but the design has ${design.rows} rows`);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i]! >= 0) || !Number.isFinite(weights[i]!)) throw new Error(`weights must be finite and non-negative, got ${weights[i]} at ${i}`);
    total += weights[i]!;
  }
  if (!(total > 0)) throw new Error('weights must not all be zero');
}

/** Weighted means of the columns and of y; the centred problem has no intercept. */
function weightedMeans(design: Design, y: ArrayLike<number>, weights: ArrayLike<number>): { columnMeans: Float64Array; yMean: number; totalWeight: number } {
  const { rows, columns, values } = design;
  const columnMeans = new Float64Array(columns);
  let yMean = 0;
  let totalWeight = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r]!;
    totalWeight += w;
    yMean += w * y[r]!;
    for (let c = 0; c < columns; c++) columnMeans[c] += w * values[r * columns + c]!;
  }
  for (let c = 0; c < columns; c++) columnMeans[c] /= totalWeight;
  return { columnMeans, yMean: yMean / totalWeight, totalWeight };
}

/** argmin sum_r w_r (y_r - b - x_r . beta)^2, with b = 0 when `intercept` is false. */
export function weightedLeastSquares(design: Design, y: ArrayLike<number>, weights: ArrayLike<number>, intercept = true): LinearFit {
  checkSizes(design, y, weights);
  const { rows, columns, values } = design;
  const { columnMeans, yMean } = intercept ? weightedMeans(design, y, weights) : { columnMeans: new Float64Array(columns), yMean: 0 };
  const gram = new Float64Array(columns * columns);
  const moment = new Float64Array(columns);
  const centred = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    const w = weights[r]!;
    if (w === 0) continue;
    for (let c = 0; c < columns; c++) centred[c] = values[r * columns + c]! - columnMeans[c]!;
    const yc = y[r]! - yMean;
    for (let i = 0; i < columns; i++) {
      const wi = w * centred[i]!;
      if (wi === 0) continue;
      moment[i] += wi * yc;
      for (let j = i; j < columns; j++) gram[i * columns + j] += wi * centred[j]!;
    }
  }
  for (let i = 0; i < columns; i++) for (let j = 0; j < i; j++) gram[i * columns + j] = gram[j * columns + i]!;
  const coefficients = solveNormalEquations(gram, moment, columns);
  let offset = yMean;
  for (let c = 0; c < columns; c++) offset -= columnMeans[c]! * coefficients[c]!;
  return { coefficients, intercept: intercept ? offset : 0 };
}

export interface LassoOptions {
  maxIterations?: number;
  /** Stop when no coefficient moved by more than this (relative to the largest coefficient). */
  tolerance?: number;
}

/**
 * argmin (1 / (2 sum w)) sum_r w_r (y_r - b - x_r . beta)^2 + alpha |beta|_1
 * (scikit-learn's objective with sample weights), intercept unpenalised.
 */
export function weightedLasso(design: Design, y: ArrayLike<number>, weights: ArrayLike<number>, alpha: number, options: LassoOptions = {}): LinearFit {
  checkSizes(design, y, weights);
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new Error(`alpha must be a finite number >= 0, got ${alpha}`);
  const { rows, columns, values } = design;
  const { columnMeans, yMean, totalWeight } = weightedMeans(design, y, weights);
  const w = Float64Array.from(weights, (v) => v / totalWeight);
  const x = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) x[r * columns + c] = values[r * columns + c]! - columnMeans[c]!;
  const residual = Float64Array.from(y, (v) => v - yMean);
  const curvature = new Float64Array(columns);
  for (let c = 0; c < columns; c++) for (let r = 0; r < rows; r++) curvature[c] += w[r]! * x[r * columns + c]! ** 2;
  const beta = new Float64Array(columns);
  const maxIterations = options.maxIterations ?? 10_000;
  const tolerance = options.tolerance ?? 1e-10;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let largestStep = 0;
    let largestCoefficient = 0;
    for (let c = 0; c < columns; c++) {
      if (curvature[c] === 0) continue;
      let correlation = 0;
      for (let r = 0; r < rows; r++) correlation += w[r]! * x[r * columns + c]! * residual[r]!;
      const rho = correlation + curvature[c]! * beta[c]!;
      const updated = Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0) / curvature[c]!;
      const step = updated - beta[c]!;
      if (step !== 0) {
        for (let r = 0; r < rows; r++) residual[r] -= step * x[r * columns + c]!;
        beta[c] = updated;
      }
      largestStep = Math.max(largestStep, Math.abs(step));
      largestCoefficient = Math.max(largestCoefficient, Math.abs(updated));
    }
    if (largestStep <= tolerance * Math.max(largestCoefficient, 1e-300)) break;
  }
  let intercept = yMean;
  for (let c = 0; c < columns; c++) intercept -= columnMeans[c]! * beta[c]!;
  return { coefficients: beta, intercept };
}
