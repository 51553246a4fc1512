import type { NeonExample } from '../../../protocol/engineProtocol';
import type { NeonExplainInput } from './neonExplainInput';
import { yieldOrAbort } from '../../examples/cancel';
import { explainClusterMembership, explainOutlierness, groundedClusterRelevance, groundedOutlierRelevance, nearestCentroid } from '../../neon';
import { conservation, sum } from './conservation';
import { exampleSize, throughEncoder } from './throughEncoder';

/** Cluster membership and outlierness: one deterministic explanation per example. */
export async function explainEach({ settings, fitted, test, shape, subject, layer, signal, report }: NeonExplainInput): Promise<NeonExample[]> {
  const examples: NeonExample[] = [];
  const size = exampleSize(test);
  const beta = settings.beta === undefined ? {} : { beta: settings.beta };
  for (const [n, index] of settings.testIndices.entries()) {
    await yieldOrAbort(signal, 'NEON');
    report(n / settings.testIndices.length, `NEON ${settings.explain}: test example ${index} (${n + 1}/${settings.testIndices.length})`);
    if (subject === undefined) {
      const x = test.values.subarray(index * size, (index + 1) * size);
      if (fitted.kind === 'kmeans') {
        const e = explainClusterMembership(fitted.kmeans.centroids, x, beta);
        examples.push({ index, relevance: Float32Array.from(e.relevance), value: e.output, cluster: e.cluster, conservation: conservation(e.output, sum(e.relevance)) });
      } else {
        const e = explainOutlierness(fitted.kde, x, beta);
        examples.push({ index, relevance: Float32Array.from(e.relevance), value: e.output, conservation: conservation(e.output, sum(e.relevance)) });
      }
      continue;
    }
    let cluster: number | undefined;
    const rule =
      fitted.kind === 'kmeans'
        ? (a: Float32Array) => {
            cluster = nearestCentroid(fitted.kmeans.centroids, a);
            return groundedClusterRelevance(fitted.kmeans.centroids, a, { cluster, ...beta });
          }
        : (a: Float32Array) => groundedOutlierRelevance(fitted.kde, a, beta);
    const e = await throughEncoder(subject, layer!, test, index, shape, rule);
    const example: NeonExample = {
      index,
      relevance: e.relevance,
      value: e.grounded.output,
      conservation: conservation(e.grounded.output, e.inputSum, { representationSum: e.grounded.propagated, groundedResidual: e.grounded.residual }),
    };
    if (cluster !== undefined) example.cluster = cluster;
    examples.push(example);
  }
  return examples;
}
