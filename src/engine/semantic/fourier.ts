/**
 * The 2-D discrete Fourier transform as a semantic representation that needs
 * no trained decoder: z(x) = DFT2(x) per channel, the decoder is the inverse
 * DFT, and the features are bins of the modes by frequency radius |k|.
 *
 * tfjs-core's tf.spectral.fft needs complex tensors, which the wasm backend
 * does not implement (no Complex/FFT/IFFT/Real/Imag kernels), so the transform
 * here is a product with real cosine and sine matrices, separable over rows and
 * columns: O(H W (H + W)) per channel, the same on every backend, and differentiable.
 *
 * Layout: an image batch [B, H, W] or [B, H, W, C] maps to [B, H, W, 2] or
 * [B, H, W, C, 2], the last axis holding (real, imaginary); mode (k, l) sits at
 * row k, column l, as in numpy.fft.fft2 (unnormalised forward transform).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertInteger, shapeText } from '../attribution/validate';
import type { SemanticRepresentation } from './types';

interface DftMatrices {
  cos: Float32Array;
  sin: Float32Array;
}

const matrixCache = new Map<number, DftMatrices>();

/** cos(2 pi k n / N) and sin(2 pi k n / N), N x N (symmetric), with k n reduced mod N for accuracy. */
function dftMatrices(n: number): DftMatrices {
  let cached = matrixCache.get(n);
  if (!cached) {
    const cos = new Float32Array(n * n);
    const sin = new Float32Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        const angle = (2 * Math.PI * ((k * j) % n)) / n;
        cos[k * n + j] = Math.cos(angle);
        sin[k * n + j] = Math.sin(angle);
      }
    }
    cached = { cos, sin };
    matrixCache.set(n, cached);
  }
  return cached;
}

/** x [N, H, W] times m [W, W'] on the last axis. */
function rightMultiply(x: tf.Tensor3D, m: tf.Tensor2D): tf.Tensor3D {
  const [n, h, w] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [n * h, w]), m), [n, h, m.shape[1]]);
}

/** m [H, H] (symmetric) times x [N, H, W] on the middle axis. */
function leftMultiplySymmetric(m: tf.Tensor2D, x: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(rightMultiply(tf.transpose(x, [0, 2, 1]), m), [0, 2, 1]);
}

/**
 * The complex 2-D transform of (re + i im) [N, H, W] with kernel exp(sign 2 pi i (k h / H + l w / W)):
 * sign -1 is the forward DFT, +1 the unnormalised inverse. `im` null means a real input.
 */
function complexDft2(re: tf.Tensor3D, im: tf.Tensor3D | null, sign: 1 | -1): { re: tf.Tensor3D; im: tf.Tensor3D } {
  const [, h, w] = re.shape;
  const rows = dftMatrices(h);
  const cols = dftMatrices(w);
  const cw = tf.tensor2d(cols.cos, [w, w]);
  const sw = tf.tensor2d(cols.sin, [w, w]);
  const ch = tf.tensor2d(rows.cos, [h, h]);
  const sh = tf.tensor2d(rows.sin, [h, h]);
  // Along the columns: (re + i im)(C + sign i S).
  let aRe = rightMultiply(re, cw);
  let aIm = tf.mul(rightMultiply(re, sw), sign) as tf.Tensor3D;
  if (im) {
    aRe = tf.sub(aRe, tf.mul(rightMultiply(im, sw), sign));
    aIm = tf.add(aIm, rightMultiply(im, cw));
  }
  // Along the rows: (C + sign i S)(aRe + i aIm).
  const outRe = tf.sub(leftMultiplySymmetric(ch, aRe), tf.mul(leftMultiplySymmetric(sh, aIm), sign)) as tf.Tensor3D;
  const outIm = tf.add(leftMultiplySymmetric(ch, aIm), tf.mul(leftMultiplySymmetric(sh, aRe), sign)) as tf.Tensor3D;
  return { re: outRe, im: outIm };
}

/** DFT2 of every channel: [B, H, W] -> [B, H, W, 2], [B, H, W, C] -> [B, H, W, C, 2]. */
export function dft2(x: tf.Tensor): tf.Tensor {
  if (x.rank !== 3 && x.rank !== 4) throw new Error(`dft2 input must have shape [B, H, W] or [B, H, W, C], got ${shapeText(x.shape)}`);
  if (x.dtype !== 'float32') throw new Error(`dft2 input must be float32, got ${x.dtype}`);
  return tf.tidy(() => {
    const [b, h, w] = x.shape as [number, number, number];
    const c = x.rank === 4 ? x.shape[3]! : 1;
    const planes = (x.rank === 4 ? tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w]) : x) as tf.Tensor3D;
    const { re, im } = complexDft2(planes, null, -1);
    const back = (t: tf.Tensor3D) => (x.rank === 4 ? tf.transpose(tf.reshape(t, [b, c, h, w]), [0, 2, 3, 1]) : t);
    return tf.stack([back(re), back(im)], -1);
  });
}

/** The inverse of dft2 (real part): [B, H, W, 2] -> [B, H, W], [B, H, W, C, 2] -> [B, H, W, C]. */
export function inverseDft2(z: tf.Tensor): tf.Tensor {
  if ((z.rank !== 4 && z.rank !== 5) || z.shape[z.rank - 1] !== 2) {
    throw new Error(`inverseDft2 input must have shape [B, H, W, 2] or [B, H, W, C, 2], got ${shapeText(z.shape)}`);
  }
  if (z.dtype !== 'float32') throw new Error(`inverseDft2 input must be float32, got ${z.dtype}`);
  return tf.tidy(() => {
    const [b, h, w] = z.shape as [number, number, number];
    const channelled = z.rank === 5;
    const c = channelled ? z.shape[3]! : 1;
    const part = (p: number) => {
      const t = tf.squeeze(tf.slice(z, [...new Array<number>(z.rank - 1).fill(0), p], [...z.shape.slice(0, -1), 1]), [z.rank - 1]);
      return (channelled ? tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [b * c, h, w]) : t) as tf.Tensor3D;
    };
    const { re } = complexDft2(part(0), part(1), 1);
    const scaled = tf.div(re, h * w);
    return channelled ? tf.transpose(tf.reshape(scaled, [b, c, h, w]), [0, 2, 3, 1]) : scaled;
  });
}

/** Signed frequency index of DFT position k of N: k for k <= N/2, k - N above (so k and N - k pair up). */
function signedIndex(k: number, n: number): number {
  return k <= n / 2 ? k : k - n;
}

/** |f| of every mode (k, l), row-major [H, W], in cycles per pixel: sqrt((k/H)^2 + (l/W)^2) with signed k, l. */
export function frequencyRadii(height: number, width: number): Float64Array {
  assertInteger(height, 'height', 1);
  assertInteger(width, 'width', 1);
  const radii = new Float64Array(height * width);
  for (let k = 0; k < height; k++) {
    for (let l = 0; l < width; l++) radii[k * width + l] = Math.hypot(signedIndex(k, height) / height, signedIndex(l, width) / width);
  }
  return radii;
}

export interface FourierBinOptions {
  /** Equal-width radius bins over [0, largest radius]; 6 when neither this nor edges is given. */
  bins?: number;
  /** Ascending radius edges e_0 = 0 < ... < e_B >= the largest radius, in cycles per pixel; bin j is [e_j, e_{j+1}), the last one closed. */
  edges?: readonly number[];
}

export interface FourierBins {
  /** Bin of every mode (k, l), row-major [H, W]. */
  binOf: Int32Array;
  bins: number;
  edges: Float64Array;
  modesPerBin: Int32Array;
}

export const DEFAULT_FOURIER_BINS = 6;

/**
 * Bins the modes of an H x W image by radius. Equal-width bins are assigned in
 * exact integer arithmetic (|f|^2 H^2 W^2 = k^2 W^2 + l^2 H^2), so a mode on an
 * edge always goes to the upper bin. Conjugate modes (k, l) and (-k, -l) share a
 * radius, so every bin keeps a real image's spectrum conjugate-symmetric.
 */
export function fourierBins(height: number, width: number, options: FourierBinOptions = {}): FourierBins {
  assertInteger(height, 'height', 1);
  assertInteger(width, 'width', 1);
  const radii = frequencyRadii(height, width);
  const modes = height * width;
  const binOf = new Int32Array(modes);
  let edges: Float64Array;
  if (options.edges !== undefined) {
    if (options.bins !== undefined) throw new Error('give either bins or edges, not both');
    const given = options.edges;
    if (!Array.isArray(given) || given.length < 2) throw new Error(`edges must hold at least 2 radii, got ${Array.isArray(given) ? given.length : typeof given}`);
    if (given[0] !== 0) throw new Error(`edges must start at 0, got ${given[0]}`);
    for (let j = 1; j < given.length; j++) {
      if (!Number.isFinite(given[j]) || !(given[j]! > given[j - 1]!)) throw new Error(`edges must be finite and strictly ascending, got ${given[j]} after ${given[j - 1]} at index ${j}`);
    }
    edges = Float64Array.from(given);
    const bins = edges.length - 1;
    let top = 0;
    for (let p = 0; p < modes; p++) if (radii[p]! > radii[top]!) top = p;
    if (radii[top]! > edges[bins]!) {
      throw new Error(`edges end at ${edges[bins]} but mode (${Math.floor(top / width)}, ${top % width}) has radius ${radii[top]!.toFixed(4)}; the last edge must be >= the largest radius`);
    }
    for (let p = 0; p < modes; p++) {
      const r = radii[p]!;
      let j = 0;
      while (j + 1 < bins && r >= edges[j + 1]!) j++;
      binOf[p] = j;
    }
  } else {
    const bins = options.bins ?? DEFAULT_FOURIER_BINS;
    assertInteger(bins, 'bins', 1, 1024);
    // Squared radius in units of 1 / (H W)^2: an integer for every mode.
    const squared = (p: number) => BigInt(signedIndex(Math.floor(p / width), height) ** 2 * width * width + signedIndex(p % width, width) ** 2 * height * height);
    let largest = 0n;
    for (let p = 0; p < modes; p++) if (squared(p) > largest) largest = squared(p);
    const b2 = BigInt(bins * bins);
    for (let p = 0; p < modes; p++) {
      // The largest j < bins with (j / bins)^2 largest <= squared, i.e. j^2 largest <= bins^2 squared.
      const s = squared(p) * b2;
      let j = largest === 0n ? 0 : Math.min(bins - 1, Math.floor(bins * Math.sqrt(Number(squared(p)) / Number(largest))));
      while (j > 0 && BigInt(j * j) * largest > s) j--;
      while (j + 1 < bins && BigInt((j + 1) * (j + 1)) * largest <= s) j++;
      binOf[p] = j;
    }
    const top = Math.sqrt(Number(largest)) / (height * width);
    edges = Float64Array.from({ length: bins + 1 }, (_, j) => (top * j) / bins);
  }
  const bins = edges.length - 1;
  const modesPerBin = new Int32Array(bins);
  for (let p = 0; p < modes; p++) modesPerBin[binOf[p]!]++;
  const empty = modesPerBin.findIndex((count) => count === 0);
  if (empty >= 0) {
    throw new Error(
      `${options.edges ? 'edges' : 'bins'}: bin ${empty} [${edges[empty]!.toFixed(4)}, ${edges[empty + 1]!.toFixed(4)}) holds no Fourier mode of a ${height} x ${width} image; use fewer bins or other edges`,
    );
  }
  return { binOf, bins, edges, modesPerBin };
}

export interface FourierRepresentation extends SemanticRepresentation {
  /** Bin of every latent entry of one example, flat over [H, W, (C,) 2]. */
  features: Int32Array;
  featureNames: string[];
  /** Shape of one latent: [H, W, 2] or [H, W, C, 2]. */
  latentShape: number[];
  height: number;
  width: number;
  channels: number;
  binning: FourierBins;
}

/**
 * The Fourier representation of images of one example shape [H, W] or [H, W, C]:
 * every channel's modes in a radius bin form one feature (the channels of a mode
 * move together, as do conjugate modes).
 */
export function fourierRepresentation(exampleShape: readonly number[], options: FourierBinOptions = {}): FourierRepresentation {
  if (!Array.isArray(exampleShape) || (exampleShape.length !== 2 && exampleShape.length !== 3)) {
    throw new Error(`exampleShape must be [H, W] or [H, W, C], got ${Array.isArray(exampleShape) ? shapeText(exampleShape) : typeof exampleShape}`);
  }
  const [height, width] = exampleShape as [number, number];
  const channelled = exampleShape.length === 3;
  const channels = channelled ? exampleShape[2]! : 1;
  assertInteger(height, 'exampleShape[0] (height)', 1);
  assertInteger(width, 'exampleShape[1] (width)', 1);
  assertInteger(channels, 'exampleShape[2] (channels)', 1);
  const binning = fourierBins(height, width, options);
  const perMode = 2 * channels;
  const features = new Int32Array(height * width * perMode);
  for (let p = 0; p < height * width; p++) features.fill(binning.binOf[p]!, p * perMode, (p + 1) * perMode);
  const featureNames = Array.from({ length: binning.bins }, (_, j) => {
    const close = j === binning.bins - 1 ? ']' : ')';
    return `|f| in [${binning.edges[j]!.toFixed(3)}, ${binning.edges[j + 1]!.toFixed(3)}${close} cycles/pixel`;
  });
  const exampleText = shapeText(exampleShape);
  const check = (t: tf.Tensor, expected: readonly number[], what: string) => {
    const actual = t.shape.slice(1);
    if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
      throw new Error(`${what} must have shape [B, ${expected.join(', ')}], got ${shapeText(t.shape)}`);
    }
  };
  const latentShape = channelled ? [height, width, channels, 2] : [height, width, 2];
  return {
    encode: (x) => {
      check(x, exampleShape, `Fourier encode input (example shape ${exampleText})`);
      return dft2(x);
    },
    decode: (z) => {
      check(z, latentShape, 'Fourier decode input');
      return inverseDft2(z);
    },
    features,
    featureNames,
    latentShape,
    height,
    width,
    channels,
    binning,
  };
}
