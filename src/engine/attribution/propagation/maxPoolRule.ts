/**
 * DeepLIFT multipliers through max pooling. Each window's output difference
 * Delta y = max(x_w) - max(x0_w), weighted by the output multiplier, is
 * handed to the window maximum at the input (p) and at the baseline (q):
 * half each, or all to one of them when the other did not move (Delta x = 0,
 * common after a ReLU where both are zero). Dividing by the receiving unit's
 * Delta x gives multipliers whose contributions add up to Delta y exactly.
 * Windows are walked explicitly, on the CPU, because picking the receivers
 * per window needs both argmaxes, which tfjs gradients do not expose.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PoolWindow } from './steps';

interface Geometry {
  height: number;
  width: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  size: [number, number];
  strides: [number, number];
  padTop: number;
  padLeft: number;
}

function geometry(inputShape: readonly number[], window: PoolWindow): Geometry {
  const [, height, width, channels] = inputShape as [number, number, number, number];
  if (window === 'global') {
    return { height, width, channels, outHeight: 1, outWidth: 1, size: [height, width], strides: [height, width], padTop: 0, padLeft: 0 };
  }
  const [kh, kw] = window.size;
  const [sh, sw] = window.strides;
  if (window.padding === 'valid') {
    return { height, width, channels, outHeight: Math.ceil((height - kh + 1) / sh), outWidth: Math.ceil((width - kw + 1) / sw), size: [kh, kw], strides: [sh, sw], padTop: 0, padLeft: 0 };
  }
  const outHeight = Math.ceil(height / sh);
  const outWidth = Math.ceil(width / sw);
  const padTop = Math.floor(Math.max(0, (outHeight - 1) * sh + kh - height) / 2);
  const padLeft = Math.floor(Math.max(0, (outWidth - 1) * sw + kw - width) / 2);
  return { height, width, channels, outHeight, outWidth, size: [kh, kw], strides: [sh, sw], padTop, padLeft };
}

/** Flat index of the first maximum of `values` in the window, or -1 if the window is empty. */
function argmaxInWindow(values: ArrayLike<number>, g: Geometry, base: number, top: number, left: number, channel: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let dy = 0; dy < g.size[0]; dy++) {
    const row = top + dy;
    if (row < 0 || row >= g.height) continue;
    for (let dx = 0; dx < g.size[1]; dx++) {
      const col = left + dx;
      if (col < 0 || col >= g.width) continue;
      const index = base + (row * g.width + col) * g.channels + channel;
      if (best < 0 || values[index]! > bestValue) {
        best = index;
        bestValue = values[index]!;
      }
    }
  }
  return best;
}

/**
 * Input multipliers of a max pooling step. `a`, `a0` are its inputs at x and
 * the baseline; `m` the multipliers of its output. Where an input did not
 * move, the multiplier is the gradient (m routed to the maximum at x).
 */
export function maxPoolMultipliers(window: PoolWindow, a: tf.Tensor, a0: tf.Tensor, m: tf.Tensor, tolerance: number): tf.Tensor {
  const g = geometry(a.shape, window);
  const x = a.dataSync();
  const x0 = a0.dataSync();
  const mOut = m.dataSync();
  const batch = a.shape[0]!;
  const contribution = new Float64Array(x.length);
  const gradient = new Float64Array(x.length);
  const inPerExample = g.height * g.width * g.channels;
  const outPerExample = g.outHeight * g.outWidth * g.channels;
  if (mOut.length !== batch * outPerExample) throw new Error(`max pooling multipliers have ${mOut.length} values, expected ${batch * outPerExample}`);
  for (let b = 0; b < batch; b++) {
    const base = b * inPerExample;
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let c = 0; c < g.channels; c++) {
          const mk = mOut[b * outPerExample + (oy * g.outWidth + ox) * g.channels + c]!;
          const top = oy * g.strides[0] - g.padTop;
          const left = ox * g.strides[1] - g.padLeft;
          const p = argmaxInWindow(x, g, base, top, left, c);
          const q = argmaxInWindow(x0, g, base, top, left, c);
          if (p < 0 || q < 0) continue;
          gradient[p] += mk;
          const share = mk * (x[p]! - x0[q]!);
          const pMoved = Math.abs(x[p]! - x0[p]!) > tolerance;
          const qMoved = Math.abs(x[q]! - x0[q]!) > tolerance;
          if (p === q || (pMoved && !qMoved)) contribution[p] += share;
          else if (qMoved && !pMoved) contribution[q] += share;
          else if (pMoved && qMoved) {
            contribution[p] += share / 2;
            contribution[q] += share / 2;
          }
          // Neither moved: then max(x_w) = max(x0_w) and there is nothing to hand out.
        }
      }
    }
  }
  const multipliers = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - x0[i]!;
    multipliers[i] = Math.abs(dx) > tolerance ? contribution[i]! / dx : gradient[i]!;
  }
  return tf.tensor(multipliers, a.shape, 'float32');
}
