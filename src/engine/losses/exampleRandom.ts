/**
 * Per-example random streams for the stochastic training losses (denoising
 * noise, inpainting masks). A stream is keyed by (seed, split, example id)
 * alone, so an example gets the same corruption whatever batch it lands in,
 * in whatever order: per-example gradients and their batch-1 oracle agree,
 * and a score does not change with the batch size.
 */
import { fmix32 } from '../attribution/random';

export type DataSplit = 'train' | 'test';

const SPLIT_KEYS: Record<DataSplit, number> = { train: 0x74726e31, test: 0x74737432 };

const seedView = new DataView(new ArrayBuffer(8));

/** Uses all 64 bits of the seed, so any finite number the manifest accepts is a distinct seed. */
function seedWords(seed: number): [number, number] {
  seedView.setFloat64(0, seed);
  return [seedView.getUint32(0), seedView.getUint32(4)];
}

function checkKey(seed: number, split: DataSplit, id: number): void {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  if (!(split in SPLIT_KEYS)) throw new Error(`split must be "train" or "test", got ${String(split)}`);
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`example id must be a non-negative integer, got ${id}`);
}

/** Uniform numbers in [0, 1) from sfc32, keyed by (seed, split, id). */
export function exampleRandom(seed: number, split: DataSplit, id: number): () => number {
  checkKey(seed, split, id);
  const [seedHigh, seedLow] = seedWords(seed);
  let a = fmix32(seedHigh ^ 0x9e3779b9);
  let b = fmix32(seedLow ^ a);
  let c = fmix32(SPLIT_KEYS[split] ^ b);
  // d is sfc32's counter; starting it from the id keeps ids above 2^32 distinct.
  let d = fmix32((id >>> 0) ^ fmix32(Math.floor(id / 0x100000000) ^ c));
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x100000000;
  };
  // sfc32 needs a few rounds before nearby keys decorrelate.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** `size` draws of N(0, std²) for one example (Box-Muller). */
export function exampleGaussianNoise(seed: number, split: DataSplit, id: number, size: number, std: number): Float32Array {
  if (!Number.isInteger(size) || size < 0) throw new Error(`size must be a non-negative integer, got ${size}`);
  if (!Number.isFinite(std) || std < 0) throw new Error(`std must be a finite number >= 0, got ${std}`);
  const random = exampleRandom(seed, split, id);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - random())) * std;
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < size) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Multipliers for one example's input: exactly round(maskFraction * size)
 * entries are 0 (masked), the rest 1. The masked set is a uniform random
 * subset (partial Fisher-Yates).
 */
export function exampleInpaintingMask(seed: number, split: DataSplit, id: number, size: number, maskFraction: number): Float32Array {
  if (!Number.isInteger(size) || size < 0) throw new Error(`size must be a non-negative integer, got ${size}`);
  if (!(maskFraction >= 0 && maskFraction <= 1)) throw new Error(`maskFraction must be in [0, 1], got ${maskFraction}`);
  const random = exampleRandom(seed, split, id);
  const masked = Math.round(maskFraction * size);
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  const keep = new Float32Array(size).fill(1);
  for (let i = 0; i < masked; i++) {
    const j = i + Math.floor(random() * (size - i));
    const picked = order[j]!;
    order[j] = order[i]!;
    order[i] = picked;
    keep[picked] = 0;
  }
  return keep;
}
