/** What every invariance request kind shares: its settings type, progress callback, batch size and the reply's run and example fields. */
import type { InvarianceExampleInfo, InvarianceRunInfo } from '../../../protocol/engineProtocol';
import { describeLabel } from '../labels';
import type { InvarianceSettings } from './invarianceParams';
import type { SupervisedVae } from './supervisedVae';

export const DEFAULT_INVARIANCE_BATCH = 256;
/** The job's name in cancellation errors. */
export const INVARIANCE_WHAT = 'vae/invariance';

export type Report = (message: string, fraction: number) => void;
export type Settings<K extends InvarianceSettings['kind']> = Extract<InvarianceSettings, { kind: K }>;

export function batchOf(settings: { batchSize?: number }): number {
  return settings.batchSize ?? DEFAULT_INVARIANCE_BATCH;
}

export function runInfo(vae: SupervisedVae): Omit<InvarianceRunInfo, 'seconds'> {
  const info: Omit<InvarianceRunInfo, 'seconds'> = {
    checkpoint: vae.checkpoint,
    decoder: vae.decoder,
    classifier: vae.classifier,
    latentDim: vae.latentDim,
    classDims: vae.classDims,
    classes: vae.classes,
    shape: vae.shape,
  };
  if (vae.run.manifest.classNames) info.classNames = vae.run.manifest.classNames;
  return info;
}

export function exampleInfo(vae: SupervisedVae, index: number, mu: ArrayLike<number>, predicted: number): InvarianceExampleInfo {
  return { index, ...describeLabel(vae.run.test, index, vae.run.manifest.classNames), predicted, mu: Array.from(mu) };
}
