/**
 * A self-contained HTML page for report.json: the data is embedded and a
 * small inline script draws the images, so the file opens anywhere offline.
 */
import type { Report } from './reportJson';

export interface ReportImages {
  height: number;
  width: number;
  /** Display values in [0, 1] keyed by "train:<i>" or "test:<i>". */
  pixels: Record<string, number[]>;
}

function escapeForScript(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin: 0 0 8px; }
.example { border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; margin: 12px 0; }
.row { display: flex; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
figure { margin: 0; text-align: center; font-size: 12px; }
canvas { image-rendering: pixelated; border: 1px solid #d0d7de; }
.meta { color: #57606a; font-size: 12px; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: right; }
@media (prefers-color-scheme: dark) { body { color: #e6edf3; background: #0d1117; } .example, canvas { border-color: #30363d; } .meta { color: #8b949e; } }
`;

const SCRIPT = `
const data = JSON.parse(document.getElementById('report-data').textContent);
const { report, images } = data;
function diverging(v) {
  // Blue for negative, red for positive attribution, white at zero.
  const t = Math.max(-1, Math.min(1, v));
  return t >= 0 ? [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))] : [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255];
}
function draw(canvas, gray, heat, scale) {
  const { height: h, width: w } = images;
  canvas.width = w * scale; canvas.height = h * scale;
  const small = document.createElement('canvas'); small.width = w; small.height = h;
  const ctx = small.getContext('2d'); const img = ctx.createImageData(w, h);
  const max = heat ? Math.max(1e-12, ...heat.map(Math.abs)) : 1;
  for (let i = 0; i < w * h; i++) {
    const g = Math.round(255 * Math.max(0, Math.min(1, gray[i])));
    let rgb = [g, g, g];
    if (heat) { const c = diverging(heat[i] / max); const a = Math.min(1, Math.abs(heat[i] / max) * 1.5); rgb = rgb.map((x, k) => Math.round(x * (1 - a) + c[k] * a)); }
    img.data.set([...rgb, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  const out = canvas.getContext('2d'); out.imageSmoothingEnabled = false; out.drawImage(small, 0, 0, w * scale, h * scale);
}
for (const el of document.querySelectorAll('canvas[data-key]')) {
  const key = el.dataset.key; const pixels = images.pixels[key];
  if (!pixels) continue;
  const heat = el.dataset.heat !== undefined ? report.examples[Number(el.dataset.heat)].saliency.values : null;
  draw(el, pixels, heat, Number(el.dataset.scale || 3));
}
`;

function thumbnails(kind: string, entries: Report['examples'][number]['proponents']): string {
  return entries
    .map(
      (p) => `<figure><canvas data-key="train:${p.index}" data-scale="2" title="${kind} ${p.index}"></canvas>
<figcaption>#${p.index} ${escapeHtml(p.labelName ?? String(p.label ?? ''))}<br>${p.score.toExponential(2)}</figcaption></figure>`,
    )
    .join('\n');
}

export function renderReportHtml(report: Report, images: ReportImages): string {
  const examples = report.examples
    .map((e, n) => {
      const c = e.saliency.completeness;
      const gap = c ? Math.abs(c.sum - c.expected) / Math.max(Math.abs(c.expected), 1e-12) : undefined;
      return `<section class="example">
<h2>Test example #${e.index} ${escapeHtml(e.labelName ?? '')}</h2>
<div class="row">
<figure><canvas data-key="test:${e.index}" data-scale="4"></canvas><figcaption>input</figcaption></figure>
<figure><canvas data-key="test:${e.index}" data-heat="${n}" data-scale="4"></canvas><figcaption>${escapeHtml(e.saliency.method)}${e.saliency.labelFree ? ' (label-free)' : ''}</figcaption></figure>
<div class="meta">${c ? `completeness: sum ${c.sum.toPrecision(5)} vs expected ${c.expected.toPrecision(5)} (gap ${(100 * gap!).toFixed(2)}%)` : ''}</div>
</div>
<p class="meta">Top proponents</p><div class="row">${thumbnails('proponent', e.proponents)}</div>
<p class="meta">Top opponents</p><div class="row">${thumbnails('opponent', e.opponents)}</div>
</section>`;
    })
    .join('\n');
  const timings = Object.entries(report.timings)
    .map(([phase, s]) => `<tr><th>${escapeHtml(phase)}</th><td>${s.toFixed(2)} s</td></tr>`)
    .join('');
  const payload = escapeForScript(JSON.stringify({ report, images }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Model Debugger report</title><style>${STYLE}</style></head>
<body>
<h1>Model Debugger report</h1>
<p class="meta">manifest ${escapeHtml(report.manifest)} · checkpoint ${escapeHtml(report.checkpoint)} · backend ${escapeHtml(report.backend)}</p>
<table>${timings}</table>
${examples}
<script type="application/json" id="report-data">${payload}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
