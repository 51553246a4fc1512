/**
 * The saliency colour scale: diverging, centred on 0 (ColorBrewer RdBu, blue
 * for negative attribution, red for positive), symmetric in magnitude so equal
 * colours mean equal |attribution| on both sides. The palette is data, not
 * chrome, so it does not follow the theme. Pure: no DOM.
 */
export type Rgb = readonly [number, number, number];

const STOPS: readonly Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [178, 24, 43],
  [103, 0, 31],
];

/** Colour for t in [-1, 1] (clamped); t = 0 is the neutral middle. */
export function divergingColor(t: number): Rgb {
  const clamped = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  const position = ((clamped + 1) / 2) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(position));
  const f = position - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

export interface Extent {
  min: number;
  max: number;
  /** max(|min|, |max|): the scale runs from -maxAbs to +maxAbs. */
  maxAbs: number;
}

export function extentOf(values: ArrayLike<number>): Extent {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { min: 0, max: 0, maxAbs: 0 };
  return { min, max, maxAbs: Math.max(Math.abs(min), Math.abs(max)) };
}

/** Opacity of the saliency colour over the image at full magnitude. */
export const OVERLAY_STRENGTH = 0.85;

/** One overlay pixel: the grayscale value (0..1) blended with the colour of `value`, more opaque the larger |value|. */
export function overlayPixel(gray: number, value: number, maxAbs: number): Rgb {
  const g = Math.round(255 * Math.max(0, Math.min(1, Number.isFinite(gray) ? gray : 0)));
  if (!(maxAbs > 0) || !Number.isFinite(value)) return [g, g, g];
  const t = Math.max(-1, Math.min(1, value / maxAbs));
  const alpha = Math.abs(t) * OVERLAY_STRENGTH;
  const c = divergingColor(t);
  return [Math.round(g * (1 - alpha) + c[0] * alpha), Math.round(g * (1 - alpha) + c[1] * alpha), Math.round(g * (1 - alpha) + c[2] * alpha)];
}

/** RGBA bytes of a grayscale image (values 0..1). */
export function grayscaleRgba(image: ArrayLike<number>): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(image.length * 4);
  for (let p = 0; p < image.length; p++) {
    const g = Math.round(255 * Math.max(0, Math.min(1, Number.isFinite(image[p]!) ? image[p]! : 0)));
    rgba.set([g, g, g, 255], p * 4);
  }
  return rgba;
}

/** RGBA bytes of the saliency overlaid on the grayscale image; both are row-major and the same length. */
export function overlayRgba(image: ArrayLike<number>, saliency: ArrayLike<number>, maxAbs: number): Uint8ClampedArray {
  if (image.length !== saliency.length) throw new Error(`overlayRgba: image has ${image.length} pixels but saliency has ${saliency.length}`);
  const rgba = new Uint8ClampedArray(image.length * 4);
  for (let p = 0; p < image.length; p++) {
    const [r, g, b] = overlayPixel(image[p]!, saliency[p]!, maxAbs);
    rgba.set([r, g, b, 255], p * 4);
  }
  return rgba;
}

/** RGBA bytes of a horizontal colour bar `width` pixels wide (1 high), from -1 on the left to +1 on the right. */
export function colorBarRgba(width: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * 4);
  for (let x = 0; x < width; x++) {
    const t = width === 1 ? 0 : (x / (width - 1)) * 2 - 1;
    const [r, g, b] = divergingColor(t);
    rgba.set([r, g, b, 255], x * 4);
  }
  return rgba;
}
