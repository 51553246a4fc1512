/** Plain float64 DFTs for the Fourier tests, straight from the definition. */

/** DFT2 of one [H, W] plane (row-major): Z[k, l] = sum x[h, w] exp(-2 pi i (k h / H + l w / W)). */
export function naiveDft2(plane: ArrayLike<number>, height: number, width: number, imaginary?: ArrayLike<number>, sign = -1): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(height * width);
  const im = new Float64Array(height * width);
  for (let k = 0; k < height; k++) {
    for (let l = 0; l < width; l++) {
      let sr = 0;
      let si = 0;
      for (let h = 0; h < height; h++) {
        for (let w = 0; w < width; w++) {
          const angle = sign * 2 * Math.PI * ((k * h) / height + (l * w) / width);
          const a = plane[h * width + w]!;
          const b = imaginary ? imaginary[h * width + w]! : 0;
          sr += a * Math.cos(angle) - b * Math.sin(angle);
          si += a * Math.sin(angle) + b * Math.cos(angle);
        }
      }
      re[k * width + l] = sr;
      im[k * width + l] = si;
    }
  }
  return { re, im };
}

/** Channel c of an [H, W, C] example, as an [H, W] plane. */
export function channelPlane(example: ArrayLike<number>, height: number, width: number, channels: number, c: number): Float64Array {
  return Float64Array.from({ length: height * width }, (_, p) => example[p * channels + c]!);
}

/**
 * The part of an [H, W, C] example whose modes satisfy keep(k, l): the inverse DFT of the
 * masked spectrum; returns the real part and the largest |imaginary part| (0 for conjugate-closed masks).
 */
export function bandPass(example: ArrayLike<number>, height: number, width: number, channels: number, keep: (mode: number) => boolean): { values: Float64Array; maxImaginary: number } {
  const values = new Float64Array(height * width * channels);
  let maxImaginary = 0;
  for (let c = 0; c < channels; c++) {
    const { re, im } = naiveDft2(channelPlane(example, height, width, channels, c), height, width);
    for (let p = 0; p < height * width; p++) {
      if (!keep(p)) {
        re[p] = 0;
        im[p] = 0;
      }
    }
    const back = naiveDft2(re, height, width, im, 1);
    for (let p = 0; p < height * width; p++) {
      values[p * channels + c] = back.re[p]! / (height * width);
      maxImaginary = Math.max(maxImaginary, Math.abs(back.im[p]! / (height * width)));
    }
  }
  return { values, maxImaginary };
}
