import type { NeonExample } from '../../../protocol/engineProtocol';
import type { NeonExplainInput } from './neonExplainInput';
import { yieldOrAbort } from '../../examples/cancel';
import { drawRandomFeatures, explainInlierness, groundedInlierRelevance, kdeDensity, representationAt, type RandomFeatures } from '../../neon';
import { drawSeed } from '../../neon/inlierness';
import { conservation, sum } from './conservation';
import { RunningMaps } from './runningMaps';
import { exampleSize, inputTensor, throughEncoder } from './throughEncoder';

/**
 * Inlierness with error bars: each draw of random features (seeded as
 * explainInliernessWithErrorBars seeds them) is drawn once and explains every
 * example, so the draws are shared across examples instead of redrawn per example.
 */
export async function explainInliers({ settings, fitted, test, shape, subject, layer, signal, report }: NeonExplainInput): Promise<NeonExample[]> {
  if (fitted.kind !== 'kde') throw new Error('inlierness needs a KDE');
  const kde = fitted.kde;
  const draws = settings.draws!;
  const size = exampleSize(test);
  const indices = settings.testIndices;
  const running = indices.map(() => new RunningMaps(size));
  // The point each example is at in the fitted space: its input, or its representation.
  const at: Float32Array[] = [];
  for (const index of indices) {
    if (subject === undefined) at.push(test.values.subarray(index * size, (index + 1) * size));
    else {
      const input = inputTensor(test, index, shape);
      try {
        at.push(await representationAt(subject.model, input, layer!));
      } finally {
        input.dispose();
      }
    }
  }
  for (let d = 0; d < draws; d++) {
    await yieldOrAbort(signal, 'NEON inlierness');
    report(d / draws, `NEON inlierness: draw ${d + 1}/${draws} of ${settings.features} random features`);
    const features: RandomFeatures = await drawRandomFeatures(kde, { features: settings.features, seed: drawSeed(settings.seed, d), signal });
    for (const [n, index] of indices.entries()) {
      if (subject === undefined) {
        const e = explainInlierness(features, at[n]!);
        running[n]!.add(e.relevance, e.output);
      } else {
        const e = await throughEncoder(subject, layer!, test, index, shape, (a) => groundedInlierRelevance(features, a));
        running[n]!.add(e.relevance, e.grounded.output, e.grounded.propagated);
      }
      if (n % 8 === 7) await yieldOrAbort(signal, 'NEON inlierness');
    }
  }
  return indices.map((index, n): NeonExample => {
    const r = running[n]!;
    const value = r.outputMean;
    const relevanceSum = sum(r.mean);
    const grounded = subject === undefined ? undefined : { representationSum: r.representationMean, groundedResidual: value - r.representationMean };
    return {
      index,
      relevance: Float32Array.from(r.mean),
      value,
      conservation: conservation(value, relevanceSum, grounded),
      relevanceStd: r.std(),
      valueStd: r.outputStd(),
      exactDensity: kdeDensity(kde, at[n]!),
    };
  });
}
