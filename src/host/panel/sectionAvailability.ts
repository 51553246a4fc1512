/**
 * Which of the issue-6 sections apply to a run, from its manifest and what the
 * engine said about its data, with a one-line reason for people when one does
 * not. The host refuses a section's requests with that reason, and the page
 * hides the section's controls and shows it instead.
 */
import type { RunManifest } from '../../protocol/manifest';
import type { PanelInputView, PanelSectionAvailability, SectionAvailability } from '../../protocol/webviewProtocol';

export interface AvailabilityFacts {
  manifest: RunManifest;
  view: PanelInputView;
  hasClassOutput: boolean;
}

const YES: SectionAvailability = { available: true };

function no(reason: string): SectionAvailability {
  return { available: false, reason };
}

/** The run declares a decoder for its last checkpoint (where the engine looks by default). */
export function declaresDecoder(manifest: RunManifest): boolean {
  const last = manifest.checkpoints[manifest.checkpoints.length - 1];
  return manifest.vae !== undefined && (last?.decoder !== undefined || manifest.vae.decoder !== undefined);
}

export function sectionAvailability({ manifest, view, hasClassOutput }: AvailabilityFacts): PanelSectionAvailability {
  const vae = manifest.vae;
  let semantic = YES;
  if (!hasClassOutput) semantic = no('Semantic Shapley values explain a class probability; this model has no class output (its loss is not cross-entropy).');
  else if (view !== 'image' && !declaresDecoder(manifest)) semantic = no('Semantic Shapley values need images (Fourier bins) or a VAE decoder declared in the manifest; this run has neither.');
  const semanticVae = declaresDecoder(manifest) ? YES : no('The VAE representation needs a decoder declared in the manifest\u2019s "vae" section.');
  let invariance = YES;
  if (!vae) invariance = no('Invariances apply to supervised VAE runs; this manifest has no "vae" section.');
  else if (vae.objective !== 'supervised') invariance = no(`Invariances apply to supervised VAE runs; this run's vae.objective is "${vae.objective ?? 'betaVae'}".`);
  else if (!declaresDecoder(manifest) || (vae.classifier === undefined && manifest.checkpoints.at(-1)?.classifier === undefined)) {
    invariance = no('Invariances need the decoder and the latent classifier declared in the manifest\u2019s "vae" section.');
  }
  return { neon: YES, semantic, semanticVae, invariance };
}
