import type * as tf from '@tensorflow/tfjs-core';

/** Maps a batch [B, ...exampleShape] to one scalar per example [B]. */
export type ScalarFunction = (x: tf.Tensor) => tf.Tensor1D;
export interface RunOptions { batchSize?: number; signal?: AbortSignal; onProgress?: (fraction: number) => void }
export interface Attribution { attributions: tf.Tensor; /* same shape as input, [1, ...] */ completeness?: { sum: number; expected: number } }
export interface DisposableTarget { fn: ScalarFunction; dispose(): void }
