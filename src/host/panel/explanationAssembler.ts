/**
 * Turns the engine's answers (typed arrays over per-example shapes) into the
 * panel's flat grayscale images, and example-importance rankings into
 * thumbnails with their rows in the dataset file.
 */
import { toScoredThumbnail, type PanelExampleImportance, type PanelRankedExample } from '../../protocol/webviewProtocol';
import type { ExampleImportanceExample, ExampleImportanceResult, ExamplePixels, ExamplesResult, RankedExample } from '../../protocol/engineProtocol';

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

function ranked(list: readonly RankedExample[], train: ExamplesResult): PanelRankedExample[] {
  const pixels = byIndex(train);
  return list.map((s) => {
    const example = pixels.get(s.index);
    if (!example) throw new Error(`The engine returned no pixels for training example ${s.index}.`);
    // The ranking may leave labels to the pixel fetch; take them from there when it does.
    const scored = { ...s, label: s.label ?? example.label, labelName: s.labelName ?? example.labelName };
    const thumb: PanelRankedExample = { ...toScoredThumbnail(scored, displayImage(train.shape, example, `training example ${s.index}`).values), row: s.row };
    if (s.line !== undefined) thumb.line = s.line;
    if (s.distance !== undefined && Number.isFinite(s.distance)) thumb.distance = s.distance;
    return thumb;
  });
}

/** Every training example a ranking names, once each, to fetch their pixels in one request. */
export function rankedIndices(example: ExampleImportanceExample, topK: number): number[] {
  const lists = [example.proponents, example.opponents, example.leastSimilar ?? []].map((l) => l.slice(0, topK));
  return [...new Set(lists.flat().map((e) => e.index))];
}

export interface ImportanceContext {
  testIndex: number;
  topK: number;
  /** The training file as the page shows it (workspace-relative). */
  trainFile: string;
}

export function assembleExampleImportance(result: ExampleImportanceResult, train: ExamplesResult, context: ImportanceContext): PanelExampleImportance {
  const explained = result.examples.find((e) => e.index === context.testIndex);
  if (!explained) throw new Error(`The engine returned no training examples for test example ${context.testIndex}.`);
  const size = toPlane(train.shape, new Float32Array(train.shape.reduce((a, b) => a * b, 1)), 'mean', 'the training examples');
  const representation = result.family === 'representation';
  const panel: PanelExampleImportance = {
    testIndex: context.testIndex,
    checkpoint: result.checkpoint,
    method: result.method,
    settings: result.settings,
    family: result.family,
    higherIsHelpful: result.higherIsHelpful,
    labelFree: result.labelFree,
    height: size.height,
    width: size.width,
    proponents: ranked(explained.proponents.slice(0, context.topK), train),
    opponents: representation ? [] : ranked(explained.opponents.slice(0, context.topK), train),
    leastSimilar: representation ? ranked((explained.leastSimilar ?? []).slice(0, context.topK), train) : [],
    trainFile: context.trainFile,
    trainCount: result.trainCount,
    notes: result.notes ?? [],
    seconds: result.seconds,
    cached: false,
  };
  if (explained.label !== undefined) panel.label = explained.label;
  if (explained.labelName !== undefined) panel.labelName = explained.labelName;
  if (explained.simplex) panel.simplex = { ...explained.simplex };
  if (result.index) panel.index = { sketchDim: result.index.sketchDim, built: result.index.built, reused: result.index.reused };
  return panel;
}
