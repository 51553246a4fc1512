/**
 * The end of `npm run demo -- --vae`: for each beta-VAE and beta-TCVAE run, the
 * engine's per-latent-unit saliency maps (LatentUnitsRequest, the request behind
 * `modeldebug checks` and the panel's per-unit maps) on a few test images, and
 * a table of the saliency entropy and the mean |Pearson| between units against
 * beta: the label-free explainability paper's Section 4.3 question, whether
 * more disentanglement (larger beta) makes the units attend to different pixels.
 */
import * as path from 'node:path';
import { LatentUnitsRequest, type AttributeMethodSpec, type LatentUnitsResult } from '../src/protocol/engineProtocol';
import { startEngine, type EngineEntry } from '../src/cli/engineSession';

/** Gradient SHAP, as the paper uses for the per-unit maps. */
export const UNIT_METHOD: AttributeMethodSpec = { method: 'gradientShap' };
export const UNIT_TEST_EXAMPLES = 32;

export interface LatentRow {
  model: string;
  beta: number;
  manifest: string;
}

export interface LatentRowResult extends LatentRow {
  entropy: number;
  maxEntropy: number;
  meanAbsPearson: number;
  /** The engine's mean of r_ij over i != j (averaged over examples first, signed). */
  meanPearson: number;
  seconds: number;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: maps of ${a.length} and ${b.length} values`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

/**
 * mean over examples and unit pairs i < j of |r_ij|, r the Pearson correlation between the two units'
 * maps of one example. Absolute values, because two units attending to the same pixels with opposite
 * signs are no more distinct than two with the same sign. Pairs with a constant map are skipped; NaN
 * when none is left.
 */
export function meanAbsPearson(maps: ArrayLike<number>[][]): number {
  let sum = 0;
  let count = 0;
  for (const units of maps) {
    for (let i = 0; i < units.length; i++) {
      for (let j = i + 1; j < units.length; j++) {
        const r = pearson(units[i]!, units[j]!);
        if (Number.isFinite(r)) {
          sum += Math.abs(r);
          count++;
        }
      }
    }
  }
  return count === 0 ? NaN : sum / count;
}

function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** The printed table: one row per run, in the order given. */
export function latentTable(rows: LatentRowResult[]): string {
  const maxEntropy = rows.find((r) => Number.isFinite(r.maxEntropy))?.maxEntropy ?? NaN;
  const header = `${'model'.padEnd(11)} ${'β'.padStart(3)}  ${'entropy'.padStart(7)}  ${'mean |r|'.padStart(8)}  ${'mean r'.padStart(7)}`;
  const lines = rows.map(
    (r) => `${r.model.padEnd(11)} ${String(r.beta).padStart(3)}  ${formatNumber(r.entropy, 3).padStart(7)}  ${formatNumber(r.meanAbsPearson, 3).padStart(8)}  ${formatNumber(r.meanPearson, 3).padStart(7)}`,
  );
  return [`saliency entropy (S_max = ln d_H = ${formatNumber(maxEntropy, 3)}) and Pearson correlation between latent units' maps`, header, ...lines].join('\n');
}

function summarise(row: LatentRow, result: LatentUnitsResult, seconds: number): LatentRowResult {
  const maps = result.examples.map((e) => (e.maps ?? []).map((m) => m.values));
  return { ...row, entropy: result.averageEntropy, maxEntropy: result.maxEntropy, meanAbsPearson: meanAbsPearson(maps), meanPearson: result.meanCorrelation, seconds };
}

/** Runs LatentUnitsRequest on each manifest's last checkpoint through one engine process. */
export async function latentUnitRows(rows: LatentRow[], entry: EngineEntry, log: (line: string) => void): Promise<LatentRowResult[]> {
  const testIndices = Array.from({ length: UNIT_TEST_EXAMPLES }, (_, i) => i);
  const { engine } = await startEngine(undefined, log, undefined, entry);
  try {
    const results: LatentRowResult[] = [];
    for (const row of rows) {
      const started = performance.now();
      const result = await engine.rpc.call(LatentUnitsRequest, { manifestPath: path.resolve(row.manifest), testIndices, method: UNIT_METHOD });
      const summary = summarise(row, result, (performance.now() - started) / 1000);
      log(`${row.model} β = ${row.beta}: entropy ${formatNumber(summary.entropy, 3)}, mean |r| ${formatNumber(summary.meanAbsPearson, 3)}, ${summary.seconds.toFixed(1)} s`);
      results.push(summary);
    }
    return results;
  } finally {
    await engine.dispose();
  }
}
