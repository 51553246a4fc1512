/**
 * `vae/invariance`: the interpretations of a supervised VAE of Nguyen and
 * Rodríguez Martínez, "Learning Invariances for Interpretability using
 * Supervised VAE":
 *   - 'samples': invariant samples, z1 = μ1(x) kept and z2 ~ N(0, σ² I) decoded;
 *   - 'curve': the invariance test (their Fig. 2), and the same with z1 resampled as the control;
 *   - 'counterfactuals': z1 moved toward each other class's mean, z2 kept (their Fig. 7);
 *   - 'divergence': GradientSHAP of Eq. 9, d_k(x, x') = KL(q(z_k|x) ‖ q(z_k|x')), k = 1, 2.
 * A sample's class is always the classifier's on μ1 of the re-encoded image.
 * Progress is reported and cancellation honoured between batches.
 * Each kind lives in its own module; this one reads the request and dispatches.
 */
import type { InvarianceReply } from '../../../protocol/engineProtocol';
import type { Progress } from '../../../protocol/rpc';
import type { RunStore } from '../../run/runStore';
import { secondsSince, throttledProgress } from '../attributionJobContext';
import { counterfactualsJob } from './counterfactualsJob';
import { curveJob } from './curveJob';
import { divergenceJob } from './divergenceJob';
import { readInvarianceParams } from './invarianceParams';
import { samplesJob } from './samplesJob';
import { openSupervisedVae } from './supervisedVae';

export { DEFAULT_INVARIANCE_BATCH } from './invarianceCommon';

export interface InvarianceJobContext {
  store: RunStore;
  signal: AbortSignal;
  progress(progress: Progress): void;
}

export async function invarianceJob(params: unknown, context: InvarianceJobContext): Promise<InvarianceReply> {
  const start = performance.now();
  const settings = readInvarianceParams(params);
  const vae = await openSupervisedVae(context.store, settings.manifestPath, settings.checkpoint, context.signal);
  const report = throttledProgress(context.progress);
  let reply: InvarianceReply;
  switch (settings.kind) {
    case 'samples':
      reply = await samplesJob(vae, settings, context.signal, report);
      break;
    case 'curve':
      reply = await curveJob(vae, settings, context.signal, report);
      break;
    case 'counterfactuals':
      reply = await counterfactualsJob(vae, settings, context.signal, report);
      break;
    case 'divergence':
      reply = await divergenceJob(vae, settings, context.signal, report);
      break;
  }
  reply.seconds = secondsSince(start);
  report(`${settings.kind} done`, 1);
  return reply;
}
