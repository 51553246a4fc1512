/**
 * Host <-> engine channel. The host (extension host or CLI) forks the engine
 * and sends every request below; the engine answers. The engine sends the
 * notifications. Payloads cross Node IPC with `serialization: 'advanced'`,
 * so Float32Array fields arrive as typed arrays, never as JSON number lists.
 */
import { defineNotification, defineRequest } from './rpc';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Why better backends were skipped, one line each. */
  skipped: string[];
  tfjsVersion: string;
}

/** Sent by the host once after forking. */
export const InitializeRequest = defineRequest<{ preferredBackend?: BackendName }, BackendInfo>('engine/initialize', 120_000);

export interface DatasetSummary {
  file: string;
  count: number;
  /** Per-example shape, e.g. [28, 28, 1]. */
  exampleShape: number[];
  hasLabels: boolean;
}

export interface CheckpointSummary {
  path: string;
  epoch: number;
  learningRate: number;
}

export interface RunSummary {
  manifestPath: string;
  name: string;
  script?: string;
  checkpoints: CheckpointSummary[];
  train: DatasetSummary;
  test: DatasetSummary;
  classNames?: string[];
  lossKind: string;
  representationLayer: string;
}

/** Sent by the host: validates the manifest and its data and returns what the panel needs to show pickers. */
export const OpenRunRequest = defineRequest<{ manifestPath: string }, RunSummary>('run/open', 300_000);

export interface ExamplePixels {
  index: number;
  /** Display values, row-major over `shape`. */
  values: Float32Array;
  label?: number;
  labelName?: string;
}

export interface ExamplesResult {
  shape: number[];
  examples: ExamplePixels[];
}

/** Sent by the host to fetch raw examples (thumbnails, the picked test image). */
export const GetExamplesRequest = defineRequest<{ manifestPath: string; split: 'train' | 'test'; indices: number[] }, ExamplesResult>('run/examples', 60_000);

export interface Completeness {
  /** Sum of the attributions. */
  sum: number;
  /** g(x) - g(baseline): what the sum should equal. */
  expected: number;
}

export interface SaliencyResult {
  method: string;
  labelFree: boolean;
  shape: number[];
  values: Float32Array;
  completeness?: Completeness;
}

export interface ScoredExample {
  index: number;
  score: number;
  label?: number;
  labelName?: string;
}

export interface ExampleExplanation {
  index: number;
  label?: number;
  labelName?: string;
  saliency: SaliencyResult;
  proponents: ScoredExample[];
  opponents: ScoredExample[];
}

export interface ExplainParams {
  manifestPath: string;
  /** Checkpoint path as written in the manifest; the last checkpoint when absent. */
  checkpoint?: string;
  testIndices: number[];
  /** Integrated-gradients steps. */
  steps?: number;
  topK?: number;
}

export interface ExplainResult {
  backend: BackendName;
  checkpoint: string;
  examples: ExampleExplanation[];
  /** Seconds per phase. */
  timings: Record<string, number>;
}

/** Sent by the host: label-free saliency and TracIn proponents/opponents for some test examples. */
export const ExplainRequest = defineRequest<ExplainParams, ExplainResult>('explain/examples', 60 * 60_000);

/** Sent by the host before it goes away; the engine disposes and exits. */
export const ShutdownRequest = defineRequest<Record<string, never>, void>('engine/shutdown', 10_000);

export interface LogParams {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Sent by the engine: a line for the host's engine log. */
export const LogNotification = defineNotification<LogParams>('engine/log');
