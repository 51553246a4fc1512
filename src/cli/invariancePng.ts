/**
 * PNG strips for `modeldebug invariance --out`: images in a row, each scaled
 * up with nearest-neighbour pixels, separated by a gap. Images are shown in
 * [0, 1] (clipped); attribution maps in red (positive) and blue (negative),
 * each scaled by its own largest |value|, channels summed.
 */
import { PNG } from 'pngjs';

export interface Tile {
  /** Row-major over the example shape. */
  values: ArrayLike<number>;
  kind: 'image' | 'map';
}

/** [H, W], [H, W, 1] or [H, W, 3]; undefined for shapes that are not images. */
export function imageGeometry(shape: readonly number[]): { height: number; width: number; channels: number } | undefined {
  const [height, width, channels = 1] = shape;
  if (shape.length < 2 || shape.length > 3 || height === undefined || width === undefined || (channels !== 1 && channels !== 3)) return undefined;
  return { height, width, channels };
}

const GAP = 4;

function clip01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/** RGB of one tile pixel. */
function pixel(tile: Tile, index: number, channels: number, scale: number): [number, number, number] {
  if (tile.kind === 'image') {
    if (channels === 3) return [0, 1, 2].map((c) => Math.round(255 * clip01(tile.values[index * 3 + c]!))) as [number, number, number];
    const g = Math.round(255 * clip01(tile.values[index]!));
    return [g, g, g];
  }
  let v = 0;
  for (let c = 0; c < channels; c++) v += tile.values[index * channels + c]!;
  const t = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  const fade = Math.round(255 * (1 - t));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/** One row of tiles as PNG bytes. */
export function stripPng(tiles: readonly Tile[], shape: readonly number[]): Buffer {
  const geometry = imageGeometry(shape);
  if (!geometry) throw new Error(`examples of shape [${shape.join(', ')}] are not images`);
  const { height, width, channels } = geometry;
  const zoom = Math.max(1, Math.floor(112 / Math.max(height, width)));
  const tileW = width * zoom;
  const png = new PNG({ width: tiles.length * tileW + (tiles.length - 1) * GAP, height: height * zoom });
  png.data.fill(255);
  tiles.forEach((tile, t) => {
    let scale = 0;
    if (tile.kind === 'map') {
      for (let i = 0; i < height * width; i++) {
        let v = 0;
        for (let c = 0; c < channels; c++) v += tile.values[i * channels + c]!;
        scale = Math.max(scale, Math.abs(v));
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const rgb = pixel(tile, y * width + x, channels, scale);
        for (let dy = 0; dy < zoom; dy++) {
          for (let dx = 0; dx < zoom; dx++) {
            const at = ((y * zoom + dy) * png.width + t * (tileW + GAP) + x * zoom + dx) * 4;
            png.data[at] = rgb[0];
            png.data[at + 1] = rgb[1];
            png.data[at + 2] = rgb[2];
            png.data[at + 3] = 255;
          }
        }
      }
    }
  });
  return PNG.sync.write(png);
}
