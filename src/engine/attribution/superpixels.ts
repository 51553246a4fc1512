/**
 * SLIC-like superpixels: k-means on (intensity per channel, position) seeded
 * on a regular grid, each centre searching a 2S x 2S window, then connected
 * components relabelled so every superpixel is one 4-connected region and
 * fragments are merged into their largest neighbour. Deterministic.
 */
import { imageDimensions } from './featureMask';
import { assertFiniteNumber, assertInteger } from './validate';

export interface SuperpixelOptions {
  /** Approximate number of superpixels. */
  segments?: number;
  /** Weight of position against intensity: larger gives squarer superpixels. For intensities in [0, 1]. */
  compactness?: number;
  iterations?: number;
  /** Regions smaller than this many pixels are merged into a neighbour; a quarter of the mean size when absent. */
  minSize?: number;
}

export const DEFAULT_SUPERPIXEL_SEGMENTS = 50;
export const DEFAULT_SUPERPIXEL_COMPACTNESS = 0.2;

interface Centre {
  colour: Float64Array;
  y: number;
  x: number;
}

function gridCentres(image: Float32Array, height: number, width: number, channels: number, segments: number): Centre[] {
  const rows = Math.max(1, Math.min(height, Math.round(Math.sqrt((segments * height) / width))));
  const columns = Math.max(1, Math.min(width, Math.round(segments / rows)));
  const centres: Centre[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const y = Math.min(height - 1, Math.floor(((i + 0.5) * height) / rows));
      const x = Math.min(width - 1, Math.floor(((j + 0.5) * width) / columns));
      const p = y * width + x;
      centres.push({ colour: Float64Array.from(image.subarray(p * channels, (p + 1) * channels)), y, x });
    }
  }
  return centres;
}

function assign(image: Float32Array, height: number, width: number, channels: number, centres: Centre[], step: number, compactness: number, labels: Int32Array): void {
  const best = new Float64Array(height * width).fill(Infinity);
  labels.fill(-1);
  const spatialScale = (compactness / step) ** 2;
  const radius = Math.ceil(step);
  centres.forEach((centre, k) => {
    for (let y = Math.max(0, Math.floor(centre.y) - radius); y <= Math.min(height - 1, Math.ceil(centre.y) + radius); y++) {
      for (let x = Math.max(0, Math.floor(centre.x) - radius); x <= Math.min(width - 1, Math.ceil(centre.x) + radius); x++) {
        const p = y * width + x;
        let colour = 0;
        for (let c = 0; c < channels; c++) colour += (image[p * channels + c]! - centre.colour[c]!) ** 2;
        const distance = colour + spatialScale * ((y - centre.y) ** 2 + (x - centre.x) ** 2);
        if (distance < best[p]!) {
          best[p] = distance;
          labels[p] = k;
        }
      }
    }
  });
}

function update(image: Float32Array, width: number, channels: number, centres: Centre[], labels: Int32Array): void {
  const counts = new Float64Array(centres.length);
  const sums = centres.map(() => ({ colour: new Float64Array(channels), y: 0, x: 0 }));
  labels.forEach((k, p) => {
    if (k < 0) return;
    counts[k]++;
    const sum = sums[k]!;
    for (let c = 0; c < channels; c++) sum.colour[c] += image[p * channels + c]!;
    sum.y += Math.floor(p / width);
    sum.x += p % width;
  });
  centres.forEach((centre, k) => {
    if (counts[k] === 0) return;
    for (let c = 0; c < channels; c++) centre.colour[c] = sums[k]!.colour[c]! / counts[k]!;
    centre.y = sums[k]!.y / counts[k]!;
    centre.x = sums[k]!.x / counts[k]!;
  });
}

/** 4-connected components of equal labels: component id per pixel and component sizes. */
function components(labels: Int32Array, height: number, width: number): { ids: Int32Array; sizes: number[] } {
  const ids = new Int32Array(labels.length).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    if (ids[start] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    ids[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      size++;
      const y = Math.floor(p / width);
      const x = p % width;
      const neighbours = [y > 0 ? p - width : -1, y < height - 1 ? p + width : -1, x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1];
      for (const q of neighbours) {
        if (q >= 0 && ids[q] === -1 && labels[q] === labels[p]) {
          ids[q] = id;
          stack.push(q);
        }
      }
    }
    sizes.push(size);
  }
  return { ids, sizes };
}

/** Merges each component under minSize into its largest neighbouring component; returns contiguous labels in raster order. */
function mergeSmall(ids: Int32Array, sizes: number[], height: number, width: number, minSize: number): Int32Array {
  const parent = sizes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const merged = [...sizes];
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]!);
  for (const component of order) {
    const root = find(component);
    if (merged[root]! >= minSize) continue;
    let target = -1;
    for (let p = 0; p < ids.length; p++) {
      if (find(ids[p]!) !== root) continue;
      const y = Math.floor(p / width);
      const x = p % width;
      for (const q of [y > 0 ? p - width : -1, y < height - 1 ? p + width : -1, x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1]) {
        if (q < 0) continue;
        const other = find(ids[q]!);
        if (other !== root && (target === -1 || merged[other]! > merged[target]!)) target = other;
      }
    }
    if (target === -1) continue;
    parent[root] = target;
    merged[target] += merged[root]!;
  }
  const contiguous = new Map<number, number>();
  return Int32Array.from(ids, (id) => {
    const root = find(id);
    if (!contiguous.has(root)) contiguous.set(root, contiguous.size);
    return contiguous.get(root)!;
  });
}

/** Labels 0..K-1 for the H x W pixels of an image laid out [H, W] or [H, W, C] (row-major, channels last). */
export function superpixels(image: Float32Array, exampleShape: readonly number[], options: SuperpixelOptions = {}): Int32Array {
  const { height, width, channels } = imageDimensions(exampleShape);
  if (image.length !== height * width * channels) throw new Error(`image has ${image.length} values but shape [${exampleShape.join(', ')}] needs ${height * width * channels}`);
  const segments = options.segments ?? Math.min(DEFAULT_SUPERPIXEL_SEGMENTS, height * width);
  assertInteger(segments, 'segments', 1, height * width);
  const compactness = options.compactness ?? DEFAULT_SUPERPIXEL_COMPACTNESS;
  assertFiniteNumber(compactness, 'compactness', 0);
  const iterations = options.iterations ?? 10;
  assertInteger(iterations, 'iterations', 1, 1000);
  const minSize = options.minSize ?? Math.floor((height * width) / segments / 4);
  assertInteger(minSize, 'minSize', 0);
  for (let i = 0; i < image.length; i++) if (!Number.isFinite(image[i]!)) throw new Error(`image holds a non-finite value at flat index ${i}`);

  const step = Math.sqrt((height * width) / segments);
  const centres = gridCentres(image, height, width, channels, segments);
  const labels = new Int32Array(height * width);
  for (let iteration = 0; iteration < iterations; iteration++) {
    assign(image, height, width, channels, centres, step, compactness, labels);
    update(image, width, channels, centres, labels);
  }
  assign(image, height, width, channels, centres, step, compactness, labels);
  // A pixel no centre's window reached joins the component of a labelled neighbour through the merge step.
  const { ids, sizes } = components(labels, height, width);
  return mergeSmall(ids, sizes, height, width, minSize);
}
