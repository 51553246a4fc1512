/**
 * Pearson correlation between the saliency maps of latent units (Crabbé &
 * van der Schaar, Appendix C.3): r_ij compares unit i's and unit j's maps,
 * and r averages r_ij over i != j. Low r means units look at different features.
 */
import { pearsonOfVectors } from './pearson';
import { toVectors, type MapLike } from './vectors';

export type CorrelationMode = 'perExample' | 'pooled';

export interface UnitCorrelation {
  /** d_H x d_H, row-major; NaN where undefined (a unit with a constant map). */
  matrix: Float64Array;
  units: number;
  /** Mean of the defined r_ij over i != j; NaN when none is defined. */
  offDiagonalMean: number;
  /** Per entry, how many examples gave a defined r_ij ('perExample'), or 1/0 ('pooled'). */
  counts: Int32Array;
}

function correlationMatrix(maps: Float64Array[]): Float64Array {
  const d = maps.length;
  const matrix = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const r = pearsonOfVectors(maps[i]!, maps[j]!);
      matrix[i * d + j] = r;
      matrix[j * d + i] = r;
    }
  }
  return matrix;
}

function offDiagonalMean(matrix: Float64Array, d: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      if (i !== j && !Number.isNaN(matrix[i * d + j])) {
        sum += matrix[i * d + j]!;
        count++;
      }
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** r_ij for one example; `unitMaps[j]` is the saliency map of latent unit j. */
export function unitCorrelation(unitMaps: readonly MapLike[]): UnitCorrelation {
  const maps = toVectors(unitMaps, 'unitMaps', 2);
  if (maps[0]!.length < 2) throw new Error('unitMaps need at least 2 features for a correlation');
  const d = maps.length;
  const matrix = correlationMatrix(maps);
  const counts = Int32Array.from(matrix, (r) => (Number.isNaN(r) ? 0 : 1));
  return { matrix, units: d, offDiagonalMean: offDiagonalMean(matrix, d), counts };
}

/**
 * r_ij over a test set. 'perExample' (default) averages each example's r_ij,
 * skipping undefined ones; 'pooled' correlates over all (example, feature)
 * pairs at once, which is the paper's formula (cov over X and I jointly).
 */
export function averageUnitCorrelation(examples: readonly (readonly MapLike[])[], mode: CorrelationMode = 'perExample'): UnitCorrelation {
  if (!Array.isArray(examples as unknown) || examples.length === 0) throw new Error('examples must be a non-empty list of per-unit map lists');
  if (mode !== 'perExample' && mode !== 'pooled') throw new Error(`mode must be 'perExample' or 'pooled', got ${String(mode)}`);
  const perExample = examples.map((maps, n) => {
    const vectors = toVectors(maps, `examples[${n}]`, 2);
    if (n > 0 && vectors.length !== examples[0]!.length) throw new Error(`examples[${n}] has ${vectors.length} units but examples[0] has ${examples[0]!.length}`);
    return vectors;
  });
  const d = perExample[0]!.length;
  if (mode === 'pooled') {
    const pooled = Array.from({ length: d }, (_, j) => {
      const parts = perExample.map((maps) => maps[j]!);
      const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    });
    return unitCorrelation(pooled);
  }
  const sum = new Float64Array(d * d);
  const counts = new Int32Array(d * d);
  for (const maps of perExample) {
    if (maps[0]!.length < 2) throw new Error('unit maps need at least 2 features for a correlation');
    const matrix = correlationMatrix(maps);
    for (let k = 0; k < matrix.length; k++) {
      if (!Number.isNaN(matrix[k])) {
        sum[k] += matrix[k]!;
        counts[k]++;
      }
    }
  }
  const matrix = Float64Array.from(sum, (s, k) => (counts[k]! > 0 ? s / counts[k]! : Number.NaN));
  return { matrix, units: d, offDiagonalMean: offDiagonalMean(matrix, d), counts };
}
