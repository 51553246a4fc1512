/** NEON (neuralisation-propagation) for unsupervised models: k-means membership, KDE outlierness and inlierness. */
export { type Points } from './points';
export { softArgmin, logMeanExp } from './pooling';
export { fitKMeans, nearestCentroid, type KMeansModel, type KMeansOptions } from './kmeans';
export { fitKde, kdeDensity, type KdeModel } from './kde';
export {
  neuraliseClusterMembership,
  clusterForward,
  explainClusterMembership,
  defaultClusterBeta,
  type ClusterNetwork,
  type ClusterExplanation,
  type ClusterExplanationOptions,
} from './clusterMembership';
export { outlierForward, explainOutlierness, type OutlierExplanation, type OutlierExplanationOptions } from './outlierness';
export { drawRandomFeatures, type RandomFeatures, type RandomFeatureOptions } from './randomFeatures';
export { inlierForward, explainInlierness, explainInliernessWithErrorBars, type InlierExplanation, type InlierErrorBars, type InlierErrorBarOptions } from './inlierness';
export { groundedOutlierRelevance, groundedClusterRelevance, groundedInlierRelevance, type GroundedRelevance } from './grounded';
export { representationAt, relevanceToInput, explainThroughEncoder, type ToInputOptions, type InputRelevance, type EncoderExplanation } from './toInput';
