export { deepLift } from './deepLift';
export { lrp, type LrpRule, type LrpRuleName } from './lrp';
export type { PropagationTarget } from './target';
export { buildPropagationChain, type PropagationChain, type ChainOptions } from './chain';
export { layerChain } from './layerChain';
export { SUPPORTED_LAYERS } from './layerSteps';
