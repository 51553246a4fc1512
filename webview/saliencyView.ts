/** The test image, the saliency overlay, its legend and the completeness readout. */
import type { PanelExplanation } from '../src/protocol/webviewProtocol';
import { colorBarRgba, extentOf, grayscaleRgba, overlayRgba } from './colorScale';
import { paintPixels, scaleFor } from './canvas';
import { completenessReadout, formatNumber } from './format';

export interface SaliencyElements {
  image: HTMLCanvasElement;
  heatmap: HTMLCanvasElement;
  colorBar: HTMLCanvasElement;
  legendMin: HTMLElement;
  legendMax: HTMLElement;
  legendRange: HTMLElement;
  completeness: HTMLElement;
  caption: HTMLElement;
}

const IMAGE_SIZE = 224;

export function renderSaliency(elements: SaliencyElements, explanation: PanelExplanation, label: string | undefined): void {
  const { height, width } = explanation;
  const scale = scaleFor(width, height, IMAGE_SIZE);
  const extent = extentOf(explanation.saliency);
  paintPixels(elements.image, grayscaleRgba(explanation.image), width, height, scale);
  paintPixels(elements.heatmap, overlayRgba(explanation.image, explanation.saliency, extent.maxAbs), width, height, scale);
  paintPixels(elements.colorBar, colorBarRgba(256), 256, 1, 1);

  elements.legendMin.textContent = formatNumber(-extent.maxAbs);
  elements.legendMax.textContent = formatNumber(extent.maxAbs);
  elements.legendRange.textContent = `values from ${formatNumber(extent.min)} to ${formatNumber(extent.max)}`;

  const what = `Test example #${explanation.testIndex}${label ? ` (label ${label})` : ''}`;
  elements.caption.textContent = `${what} · ${explanation.method}${explanation.labelFree ? ', label-free' : ''}`;
  elements.heatmap.setAttribute(
    'aria-label',
    `Saliency of ${what} by ${explanation.method}: red marks pixels that raise the explained output, blue pixels that lower it; attributions range from ${formatNumber(extent.min)} to ${formatNumber(extent.max)}.`,
  );
  elements.image.setAttribute('aria-label', what);

  if (explanation.completeness) {
    const readout = completenessReadout(explanation.completeness);
    elements.completeness.textContent = `Completeness: ${readout.text}`;
    elements.completeness.classList.toggle('warn', readout.relativeGap !== undefined && readout.relativeGap > 0.05);
    elements.completeness.hidden = false;
  } else {
    elements.completeness.hidden = true;
  }
}
