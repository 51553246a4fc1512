/** Seeded numbers for the example-importance tests. */

/** Uniform [0, 1) from a linear congruential generator. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Standard normal draws (Box–Muller). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function normalArray(length: number, seed: number, scale = 1): Float32Array {
  const next = normal(seed);
  return Float32Array.from({ length }, () => scale * next());
}
