/** Paints RGBA pixel data onto a canvas, scaled up by a whole factor with smoothing off so pixels stay crisp. */

export function scaleFor(width: number, height: number, target: number): number {
  return Math.max(1, Math.floor(target / Math.max(width, height)));
}

export function paintPixels(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number, scale: number): void {
  const source = document.createElement('canvas');
  source.width = width;
  source.height = height;
  const sourceContext = source.getContext('2d');
  const context = canvas.getContext('2d');
  if (!sourceContext || !context) return;
  const pixels = new Uint8ClampedArray(width * height * 4);
  pixels.set(rgba.subarray(0, pixels.length));
  sourceContext.putImageData(new ImageData(pixels, width, height), 0, 0);
  canvas.width = width * scale;
  canvas.height = height * scale;
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
}
