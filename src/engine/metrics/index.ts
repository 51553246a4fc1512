export { attributionSum, readCompleteness, DEFAULT_COMPLETENESS_TOLERANCE, type CompletenessReadout, type CompletenessTolerance } from './completeness';
export { saliencyEntropy, averageSaliencyEntropy, type EntropyOptions, type ExampleEntropy, type AverageEntropy } from './saliencyEntropy';
export { pearson } from './pearson';
export { spearman, averageRanks } from './spearman';
export { unitCorrelation, averageUnitCorrelation, type UnitCorrelation, type CorrelationMode } from './unitCorrelation';
export { consistencyCheck, averageConsistencyCurves, DEFAULT_FRACTIONS, type ConsistencyCurve, type ConsistencyOptions, type BatchFunction } from './consistencyCheck';
export { cascadingRandomization, type RandomizationOptions, type RandomizationResult, type RandomizationStep, type ExplainFunction } from './sanityCheck';
export { compareSaliencyMaps, type RepresentationComparison } from './representationComparison';
export { meanStd, type MapLike, type MeanStd } from './vectors';
