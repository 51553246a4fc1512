/**
 * Turns the engine's answers (typed arrays over per-example shapes) into the
 * panel's flat grayscale images and thumbnails.
 */
import { toScoredThumbnail, type PanelExplanation, type Thumbnail } from '../../protocol/webviewProtocol';
import type { ExampleExplanation, ExamplePixels, ExamplesResult, ExplainResult } from '../../protocol/engineProtocol';

export interface Plane {
  height: number;
  width: number;
  values: number[];
}

/** [H, W], [H, W, C] or [D] -> H x W (D is shown as one row); channels are reduced with `reduce`. */
export function toPlane(shape: readonly number[], values: ArrayLike<number>, reduce: 'mean' | 'sum', what: string): Plane {
  if (shape.length < 1 || shape.length > 3 || shape.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
    throw new Error(`${what}: cannot display an example of shape [${shape.join(', ')}]`);
  }
  const [height, width, channels] = shape.length === 1 ? [1, shape[0]!, 1] : [shape[0]!, shape[1]!, shape[2] ?? 1];
  if (values.length !== height * width * channels) {
    throw new Error(`${what}: expected ${height * width * channels} values for shape [${shape.join(', ')}], got ${values.length}`);
  }
  const plane = new Array<number>(height * width);
  for (let p = 0; p < height * width; p++) {
    let total = 0;
    for (let c = 0; c < channels; c++) total += values[p * channels + c]!;
    plane[p] = reduce === 'mean' ? total / channels : total;
  }
  return { height, width, values: plane };
}

/** Display values in [0, 1]: kept when already there, min-max scaled otherwise. */
export function toDisplayRange(values: number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return values.map(() => 0);
  const inUnitRange = min >= 0 && max <= 1;
  const span = max - min;
  return values.map((v) => {
    if (!Number.isFinite(v)) return 0;
    if (inUnitRange) return v;
    return span > 0 ? (v - min) / span : 0;
  });
}

function displayImage(shape: readonly number[], example: ExamplePixels, what: string): Plane {
  const plane = toPlane(shape, example.values, 'mean', what);
  return { ...plane, values: toDisplayRange(plane.values) };
}

function byIndex(result: ExamplesResult): Map<number, ExamplePixels> {
  return new Map(result.examples.map((e) => [e.index, e]));
}

function thumbnails(scored: ExampleExplanation['proponents'], train: ExamplesResult): Thumbnail[] {
  const pixels = byIndex(train);
  return scored.map((s) => {
    const example = pixels.get(s.index);
    if (!example) throw new Error(`The engine returned no pixels for training example ${s.index}.`);
    // The scored list may leave labels to the pixel fetch; take them from there when it does.
    const scored = { ...s, label: s.label ?? example.label, labelName: s.labelName ?? example.labelName };
    return toScoredThumbnail(scored, displayImage(train.shape, example, `training example ${s.index}`).values);
  });
}

export function assembleExplanation(result: ExplainResult, explained: ExampleExplanation, test: ExamplesResult, train: ExamplesResult): PanelExplanation {
  const testExample = byIndex(test).get(explained.index);
  if (!testExample) throw new Error(`The engine returned no pixels for test example ${explained.index}.`);
  const image = displayImage(test.shape, testExample, `test example ${explained.index}`);
  const saliency = toPlane(explained.saliency.shape, explained.saliency.values, 'sum', `saliency of test example ${explained.index}`);
  if (saliency.height !== image.height || saliency.width !== image.width) {
    throw new Error(`The saliency map is ${saliency.height}x${saliency.width} but the test image is ${image.height}x${image.width}.`);
  }
  const panel: PanelExplanation = {
    testIndex: explained.index,
    height: image.height,
    width: image.width,
    image: image.values,
    saliency: saliency.values.map((v) => (Number.isFinite(v) ? v : 0)),
    method: explained.saliency.method,
    labelFree: explained.saliency.labelFree,
    proponents: thumbnails(explained.proponents, train),
    opponents: thumbnails(explained.opponents, train),
    checkpoint: result.checkpoint,
    backend: result.backend,
  };
  const label = explained.label ?? testExample.label;
  const labelName = explained.labelName ?? testExample.labelName;
  if (label !== undefined) panel.label = label;
  if (labelName !== undefined) panel.labelName = labelName;
  if (explained.saliency.completeness) panel.completeness = explained.saliency.completeness;
  return panel;
}
