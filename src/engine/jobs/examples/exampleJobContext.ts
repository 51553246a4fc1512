/** What every example-importance job gets from the engine. */
import type { Progress } from '../../../protocol/rpc';
import type { RunStore } from '../../run/runStore';
import type { GradientIndexStore } from './gradientIndex';
import type { RepresentationCache } from './representationCache';

export interface ExampleJobContext {
  store: RunStore;
  index: GradientIndexStore;
  representations: RepresentationCache;
  signal: AbortSignal;
  progress(progress: Progress): void;
}
