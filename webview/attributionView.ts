/**
 * The attribution section: its pickers, its progress, and the result drawn
 * for the kind of example: a heatmap over an image, a bar chart of a tabular
 * row, a shaded line of a time series, or one small map per latent unit.
 */
import type { PanelAttribution, PanelAttributionSettings, PanelInit } from '../src/protocol/webviewProtocol';
import { paintPixels, scaleFor } from './canvas';
import { barChart, seriesChart } from './charts';
import { colorBarRgba, extentOf, grayscaleRgba, overlayRgba } from './colorScale';
import { el } from './dom';
import { completenessReadout, formatNumber } from './format';
import { methodText, targetText } from './settingsModel';
import { SettingsBar } from './settingsBar';
import { TaskStatus } from './taskStatus';
import { labelText } from './thumbnails';
import { renderUnitMaps, sharedMaxAbs } from './unitMaps';

const IMAGE_SIZE = 224;
const CHART_WIDTH = 460;

export interface AttributionCallbacks {
  settingsChanged(settings: PanelAttributionSettings): void;
  cancel(): void;
}

export class AttributionView {
  readonly element: HTMLElement;
  readonly settings: SettingsBar;
  readonly status: TaskStatus;
  private readonly summary = el('span', { class: 'muted' });
  private readonly image = el('canvas', { 'data-testid': 'test-image', role: 'img', class: 'pixelated' });
  private readonly heatmap = el('canvas', { 'data-testid': 'saliency-heatmap', role: 'img', class: 'pixelated', 'data-state': 'empty' });
  private readonly images: HTMLElement;
  private readonly chart = el('div', { class: 'attribution-chart', 'data-testid': 'attribution-chart', hidden: '' });
  private readonly colorBar = el('canvas', { class: 'colorbar', 'aria-hidden': 'true' });
  private readonly legendMin = el('span');
  private readonly legendMax = el('span');
  private readonly legendRange = el('p', { class: 'muted legend-range' });
  private readonly legend: HTMLElement;
  private readonly caption = el('p', { class: 'caption', 'data-testid': 'attribution-caption' });
  private readonly completeness = el('p', { class: 'completeness', 'data-testid': 'completeness', hidden: '' });
  private readonly notes = el('ul', { class: 'notes', hidden: '' });
  private readonly result = el('div', { class: 'attribution-result', hidden: '' });

  constructor(callbacks: AttributionCallbacks) {
    this.settings = new SettingsBar((settings) => callbacks.settingsChanged(settings));
    this.status = new TaskStatus('the attribution', () => callbacks.cancel(), 'attribution-status');
    this.images = el(
      'div',
      { class: 'images' },
      el('figure', {}, this.image, el('figcaption', {}, 'Input')),
      el('figure', {}, this.heatmap, el('figcaption', {}, 'Attribution over input')),
    );
    this.legend = el(
      'div',
      { class: 'legend', 'aria-label': 'Colour scale' },
      this.colorBar,
      el('div', { class: 'ticks' }, this.legendMin, el('span', {}, '0'), this.legendMax),
      this.legendRange,
    );
    paintPixels(this.colorBar, colorBarRgba(256), 256, 1, 1);
    this.result.append(this.images, this.chart, this.caption, this.legend, this.completeness, this.notes);
    this.element = el(
      'section',
      { class: 'attribution', 'aria-label': 'Attribution' },
      el('h2', {}, 'Attribution ', this.summary),
      this.settings.element,
      this.status.element,
      this.result,
    );
  }

  showInit(init: PanelInit): void {
    this.settings.show(init, init.settings);
    this.summary.textContent = methodText(init.settings, init.view);
  }

  settingsChanged(settings: PanelAttributionSettings, init: PanelInit): void {
    this.summary.textContent = methodText(settings, init.view);
  }

  show(result: PanelAttribution, settings: PanelAttributionSettings, init: PanelInit): void {
    const { input, maps } = result;
    const allUnits = result.target.kind === 'allUnits';
    const label = labelText(result, init.classNames);
    const what = `test example #${result.testIndex}${label ? ` (label ${label})` : ''}`;
    const explains = targetText(result.target, init.classNames);
    const maxAbs = sharedMaxAbs(maps);
    const extent = extentOf(maps.flatMap((m) => m.values));
    const description = `Attribution of ${what} to ${explains} by ${methodText(settings, init.view)}: red marks features that raise it, blue features that lower it; attributions range from ${formatNumber(extent.min)} to ${formatNumber(extent.max)}.`;

    this.result.hidden = false;
    this.images.hidden = input.view !== 'image' || allUnits;
    this.chart.hidden = !this.images.hidden;
    this.legend.hidden = input.view === 'tabular' && !allUnits;
    if (input.view === 'image' && !allUnits) {
      const scale = scaleFor(input.width, input.height, IMAGE_SIZE);
      paintPixels(this.image, grayscaleRgba(input.values), input.width, input.height, scale);
      paintPixels(this.heatmap, overlayRgba(input.values, maps[0]?.values ?? [], maxAbs), input.width, input.height, scale);
      this.heatmap.setAttribute('aria-label', description);
      this.image.setAttribute('aria-label', what);
      this.chart.replaceChildren();
    } else if (allUnits) {
      this.chart.replaceChildren(renderUnitMaps(input, maps, 140, what));
    } else if (input.view === 'tabular') {
      this.chart.replaceChildren(barChart(input, maps[0]!, description, { width: CHART_WIDTH }));
    } else {
      this.chart.replaceChildren(seriesChart(input, maps[0]!, maxAbs, description, { width: CHART_WIDTH }));
    }
    this.heatmap.dataset.state = 'ready';
    this.heatmap.dataset.method = result.method;
    this.heatmap.dataset.target = result.target.kind;

    this.legendMin.textContent = formatNumber(-maxAbs);
    this.legendMax.textContent = formatNumber(maxAbs);
    this.legendRange.textContent = `values from ${formatNumber(extent.min)} to ${formatNumber(extent.max)}${allUnits ? ', one scale for every unit' : ''}`;
    const timing = result.cached ? 'cached' : `${formatNumber(result.seconds)} s`;
    this.caption.textContent = `${what[0]!.toUpperCase()}${what.slice(1)} · explains ${explains}${result.labelFree ? ' (no label used)' : ''} · ${timing}`;
    this.summary.textContent = methodText(settings, init.view);

    const completeness = maps.length === 1 ? maps[0]!.completeness : undefined;
    if (completeness) {
      const readout = completenessReadout(completeness);
      this.completeness.textContent = `Completeness: ${readout.text}`;
      this.completeness.classList.toggle('warn', readout.relativeGap !== undefined && readout.relativeGap > 0.05);
      this.completeness.hidden = false;
    } else {
      this.completeness.hidden = true;
    }
    this.notes.replaceChildren(...result.notes.map((note) => el('li', {}, note)));
    this.notes.hidden = result.notes.length === 0;
  }

  /** The page moved to another example or checkpoint: the old result no longer applies. */
  markStale(): void {
    this.heatmap.dataset.state = 'stale';
  }
}
