/** Closed-form Hessians of single-Dense-layer models and a small dense solver, the oracles of the influence tests. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export type Matrix = number[][];

export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

export function denseModel(inputs: number, units: number, activation: 'linear' | 'softmax', seed: number): tfl.Sequential {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ name: 'd', inputShape: [inputs], units, activation })] });
  const k = tf.tensor2d(randomMatrix(inputs, units, seed, 0.5));
  const b = tf.tensor1d(randomMatrix(1, units, seed + 1, 0.3)[0]!);
  model.setWeights([k, b]);
  tf.dispose([k, b]);
  return model;
}

/** Parameter index of kernel entry (i, j) and bias j in the [in, out] row-major layout, kernel first. */
const kernelIndex = (i: number, j: number, units: number): number => i * units + j;

/**
 * Hessian of a Dense layer's mean loss given per-example output curvature C_n [units, units]:
 * H[(i,j),(k,l)] = mean_n x̃_i x̃_k C_n[j][l], with x̃ = [x, 1] (the bias as input 1).
 */
function denseHessian(x: Matrix, curvature: (n: number) => Matrix, units: number): Matrix {
  const d = x[0]!.length;
  const p = (d + 1) * units;
  const index = (i: number, j: number): number => (i === d ? d * units + j : kernelIndex(i, j, units));
  const h = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  x.forEach((row, n) => {
    const xt = [...row, 1];
    const c = curvature(n);
    for (let i = 0; i <= d; i++) for (let j = 0; j < units; j++) for (let k = 0; k <= d; k++) for (let l = 0; l < units; l++) h[index(i, j)]![index(k, l)]! += (xt[i]! * xt[k]! * c[j]![l]!) / x.length;
  });
  return h;
}

/** Reconstruction loss ‖xK + b − x‖²: curvature 2I. */
export function mseHessian(x: Matrix): Matrix {
  const d = x[0]!.length;
  return denseHessian(x, () => Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, l) => (j === l ? 2 : 0))), d);
}

/** Cross-entropy of softmax(xK + b): curvature diag(p) − ppᵀ. */
export function softmaxHessian(x: Matrix, k: Matrix, b: number[]): Matrix {
  const units = b.length;
  return denseHessian(
    x,
    (n) => {
      const z = b.map((bj, j) => bj + x[n]!.reduce((s, xi, i) => s + xi * k[i]![j]!, 0));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((s, v) => s + v, 0);
      const p = e.map((v) => v / sum);
      return p.map((pj, j) => p.map((pl, l) => (j === l ? pj : 0) - pj * pl));
    },
    units,
  );
}

export const matVec = (a: Matrix, v: ArrayLike<number>): number[] => a.map((row) => row.reduce((s, x, i) => s + x * v[i]!, 0));
export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);

/** Solves (A + shift·I) y = v by Gaussian elimination with partial pivoting. */
export function solve(a: Matrix, v: ArrayLike<number>, shift = 0): number[] {
  const n = a.length;
  const m = a.map((row, i) => [...row.map((x, j) => x + (i === j ? shift : 0)), v[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) y[r] = (m[r]![n]! - m[r]!.slice(r + 1, n).reduce((s, x, k) => s + x * y[r + 1 + k]!, 0)) / m[r]![r]!;
  return y;
}

/** Flattened Dense gradients of one example: kernel x ⊗ δ then bias δ. */
export const denseGradient = (x: number[], delta: number[]): number[] => [...x.flatMap((xi) => delta.map((dj) => xi * dj)), ...delta];

export function weightsOf(model: tfl.LayersModel): { k: Matrix; b: number[] } {
  const [k, b] = model.getWeights();
  return { k: k!.arraySync() as Matrix, b: b!.arraySync() as number[] };
}
