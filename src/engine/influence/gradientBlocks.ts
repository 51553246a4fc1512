/**
 * Per-example gradients of one weight, kept in the cheapest exact form.
 * A Dense kernel's gradient a ⊗ δ is stored as its two factors: its inner
 * product with another example's is <a_t, a_n>·<δ_t, δ_n>, so TracIn never
 * forms the [B, in*out] matrix, which is most of a small network's parameters.
 */
import * as tf from '@tensorflow/tfjs-core';

export type GradientBlock =
  /** values [B, size]: the flattened gradients. */
  | { kind: 'full'; values: tf.Tensor2D }
  /** The gradient of example n is input[n] ⊗ delta[n], flattened row-major as [in, out]. */
  | { kind: 'outer'; input: tf.Tensor2D; delta: tf.Tensor2D };

/** [B, size] whatever the form. */
export function materializeBlock(block: GradientBlock): tf.Tensor2D {
  if (block.kind === 'full') return block.values;
  const [count, inputs] = block.input.shape;
  const outputs = block.delta.shape[1];
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(block.input, [count, inputs, 1]), tf.reshape(block.delta, [count, 1, outputs])), [count, inputs * outputs]),
  );
}

export function blockTensors(block: GradientBlock): tf.Tensor2D[] {
  return block.kind === 'full' ? [block.values] : [block.input, block.delta];
}

export function disposeBlocks(blocks: readonly GradientBlock[]): void {
  for (const block of blocks) tf.dispose(blockTensors(block));
}

/** Joins the blocks of consecutive batches along the example axis. */
export function concatBlocks(batches: readonly GradientBlock[][]): GradientBlock[] {
  const first = batches[0];
  if (!first) throw new Error('concatBlocks needs at least one batch');
  if (batches.length === 1) return first;
  return first.map((block, i) => {
    const parts = batches.map((blocks) => blocks[i]!);
    if (block.kind === 'full') return { kind: 'full', values: tf.concat2d(parts.map((p) => (p as typeof block).values), 0) };
    return {
      kind: 'outer',
      input: tf.concat2d(parts.map((p) => (p as typeof block).input), 0),
      delta: tf.concat2d(parts.map((p) => (p as typeof block).delta), 0),
    };
  });
}

/**
 * The reference side of a Gram product, transposed once so every batch is a
 * plain [B, k] x [k, T] product (on wasm, transposing the big operand inside
 * matMul costs more than the product), and scaled by `scale` once.
 */
export type ReferenceBlock = { kind: 'full'; valuesT: tf.Tensor2D } | { kind: 'outer'; inputT: tf.Tensor2D; deltaT: tf.Tensor2D };

export function referenceBlocks(blocks: readonly GradientBlock[], scale: number): ReferenceBlock[] {
  return tf.tidy(() =>
    blocks.map((block): ReferenceBlock => {
      if (block.kind === 'full') return { kind: 'full', valuesT: tf.transpose(tf.mul(block.values, scale) as tf.Tensor2D) };
      return { kind: 'outer', inputT: tf.transpose(block.input), deltaT: tf.transpose(tf.mul(block.delta, scale) as tf.Tensor2D) };
    }),
  );
}

export function disposeReferenceBlocks(blocks: readonly ReferenceBlock[]): void {
  for (const block of blocks) tf.dispose(block.kind === 'full' ? [block.valuesT] : [block.inputT, block.deltaT]);
}

/** [B, T]: entry (n, t) is scale · <g_n, g_t> summed over all blocks. */
export function gradientDots(batch: readonly GradientBlock[], reference: readonly ReferenceBlock[]): tf.Tensor2D {
  if (batch.length !== reference.length) throw new Error(`gradient layouts differ: ${batch.length} blocks against ${reference.length}`);
  return tf.tidy(() => {
    const terms = batch.map((block, i) => {
      const ref = reference[i]!;
      if (block.kind === 'full' && ref.kind === 'full') return tf.matMul(block.values, ref.valuesT);
      if (block.kind === 'outer' && ref.kind === 'outer') return tf.mul(tf.matMul(block.input, ref.inputT), tf.matMul(block.delta, ref.deltaT));
      throw new Error(`gradient block ${i} has different forms on the two sides`);
    });
    return tf.addN(terms) as tf.Tensor2D;
  });
}
