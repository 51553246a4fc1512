/**
 * Host <-> webview channel for the explanation panel. The webview sends the
 * requests (it asks, the host answers); the host sends the notifications.
 * The host posts nothing until the webview's `PanelReadyRequest` arrives,
 * because messages posted before the page's listener exists are lost.
 * Everything here is untrusted on arrival and is validated by the receiver.
 */
import { defineNotification, defineRequest } from './rpc';
import type { BackendName, Completeness, ScoredExample } from './engineProtocol';

/** What the webview persists with `setState`, so a reload restores the same view. */
export interface PanelState {
  manifestPath: string;
  checkpoint?: string;
  testIndex: number;
}

export interface PanelInit {
  manifestPath: string;
  runName: string;
  checkpoints: string[];
  checkpoint: string;
  testCount: number;
  classNames?: string[];
  backend?: BackendName;
  /** The example to show first: the restored one, or 0. */
  testIndex: number;
}

/** Sent by the webview once its listener is installed. */
export const PanelReadyRequest = defineRequest<{ restored?: PanelState }, PanelInit>('panel/ready', 300_000);

export interface Thumbnail {
  index: number;
  score: number;
  label?: number;
  labelName?: string;
  /** Display values in [0, 1], row-major, height x width. */
  pixels: number[];
}

export interface PanelExplanation {
  testIndex: number;
  label?: number;
  labelName?: string;
  height: number;
  width: number;
  image: number[];
  saliency: number[];
  method: string;
  labelFree: boolean;
  completeness?: Completeness;
  proponents: Thumbnail[];
  opponents: Thumbnail[];
  checkpoint: string;
  backend: BackendName;
}

/** Sent by the webview when the user picks a test example or a checkpoint. */
export const PanelExplainRequest = defineRequest<{ testIndex: number; checkpoint?: string }, PanelExplanation>('panel/explain', 60 * 60_000);

/** Sent by the webview when the user clicks a training example. */
export const RevealExampleRequest = defineRequest<{ split: 'train' | 'test'; index: number }, void>('panel/reveal', 10_000);

/** Sent by the host when the engine's backend becomes known or changes. */
export const BackendNotification = defineNotification<{ backend: BackendName }>('panel/backend');

export function toScoredThumbnail(example: ScoredExample, pixels: ArrayLike<number>): Thumbnail {
  const thumb: Thumbnail = { index: example.index, score: example.score, pixels: Array.from(pixels) };
  if (example.label !== undefined) thumb.label = example.label;
  if (example.labelName !== undefined) thumb.labelName = example.labelName;
  return thumb;
}
