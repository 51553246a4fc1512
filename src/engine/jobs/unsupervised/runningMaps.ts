/** Welford's running mean and squared deviations of one example's maps over draws. */
export class RunningMaps {
  readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private n = 0;
  outputMean = 0;
  private outputM2 = 0;
  representationMean = 0;

  constructor(size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  add(relevance: ArrayLike<number>, output: number, representationSum = 0): void {
    this.n++;
    for (let i = 0; i < this.mean.length; i++) {
      const delta = relevance[i]! - this.mean[i]!;
      this.mean[i]! += delta / this.n;
      this.m2[i]! += delta * (relevance[i]! - this.mean[i]!);
    }
    const delta = output - this.outputMean;
    this.outputMean += delta / this.n;
    this.outputM2 += delta * (output - this.outputMean);
    this.representationMean += (representationSum - this.representationMean) / this.n;
  }

  std(): Float32Array {
    return Float32Array.from(this.m2, (v) => Math.sqrt(v / Math.max(1, this.n - 1)));
  }

  outputStd(): number {
    return Math.sqrt(this.outputM2 / Math.max(1, this.n - 1));
  }
}
