/** Semantic Shapley values over latent features, and the Fourier representation. */
export * from './types';
export { MAX_EXACT_FEATURES, meanAndStandardError, samplePermutations, shapleyFromCoalitionValues, shapleyWeights } from './shapleyMath';
export { DEFAULT_PERMUTATIONS, globalSemanticShapley, semanticCoalitionValues, semanticShapley } from './semanticShapley';
export { DEFAULT_FOURIER_BINS, dft2, fourierBins, fourierRepresentation, frequencyRadii, inverseDft2, type FourierBinOptions, type FourierBins, type FourierRepresentation } from './fourier';
