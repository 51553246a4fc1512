import type { Dataset } from '../../data/dataset';
import type { ExplainedModel } from '../explainedModel';
import type { FittedNeonModel } from './neonModels';
import type { NeonSettings } from './neonParams';

/** What explaining test examples with a fitted NEON model needs, whichever quantity is explained. */
export interface NeonExplainInput {
  settings: NeonSettings;
  fitted: FittedNeonModel;
  test: Dataset;
  /** Per-example input shape (the encoder's when the model was fitted on a representation). */
  shape: number[];
  /** The encoder, when the model was fitted on its representation layer `layer`. */
  subject: ExplainedModel | undefined;
  layer: string | undefined;
  signal: AbortSignal;
  report: (fraction: number, message: string) => void;
}
