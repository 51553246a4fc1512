/** Plain-text tables of `vae/invariance` replies for the terminal. */
import type {
  InvarianceCounterfactualReply,
  InvarianceCurveReply,
  InvarianceDivergenceReply,
  InvarianceReply,
  InvarianceRunInfo,
  InvarianceSamplesReply,
} from '../protocol/engineProtocol';

function className(info: InvarianceRunInfo, c: number | undefined): string {
  if (c === undefined) return '-';
  return info.classNames?.[c] ?? String(c);
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

function num(v: number, digits = 3): string {
  return Number.isFinite(v) ? (Math.abs(v) < 0.5 * 10 ** -digits ? (0).toFixed(digits) : v.toFixed(digits)) : 'n/a';
}

function header(info: InvarianceRunInfo): string {
  return `checkpoint ${info.checkpoint}, decoder ${info.decoder}, classifier ${info.classifier}; z1 = units 0..${info.classDims - 1}, z2 = units ${info.classDims}..${info.latentDim - 1}`;
}

export function formatSamples(r: InvarianceSamplesReply): string {
  const lines = [
    `invariant samples: z1 = μ1(x) kept, z2 ~ N(0, ${r.sigma}² I), ${r.count} per example; class = p(y|z1) of the re-encoded sample`,
    header(r),
    '',
    `${pad('index', 7)}${pad('label', 14)}${pad('predicted', 14)}${pad('reconstruction', 16)}match rate`,
  ];
  for (const e of r.examples) {
    const kept = e.samples.filter((s) => s.matches).length;
    lines.push(`${pad(String(e.index), 7)}${pad(className(r, e.label), 14)}${pad(className(r, e.predicted), 14)}${pad(e.reconstructionPredicted === e.predicted ? 'same' : className(r, e.reconstructionPredicted), 16)}${num(e.matchRate)} (${kept}/${e.samples.length})`);
  }
  lines.push('', `overall match rate ${num(r.matchRate)} over ${r.examples.length * r.count} samples (${num(r.seconds, 1)} s)`);
  return lines.join('\n');
}

export function formatCurve(r: InvarianceCurveReply): string {
  const lines = [
    `invariance test: fraction of generated samples keeping the predicted class, ${r.testIndices.length} test examples × ${r.count} samples per σ`,
    header(r),
    `σ = 0 (reconstruction decode(μ(x))): ${num(r.reconstruction)}`,
    '',
    `${pad('σ', 8)}${pad('z2 resampled (invariance)', 28)}z1 resampled (control)`,
  ];
  for (const p of r.points) lines.push(`${pad(String(p.sigma), 8)}${pad(num(p.nuisance), 28)}${num(p.classUnits)}`);
  lines.push('', `${r.points[0]?.total ?? 0} samples per cell (${num(r.seconds, 1)} s)`);
  return lines.join('\n');
}

export function formatCounterfactuals(r: InvarianceCounterfactualReply): string {
  const lines = [
    `counterfactuals: z1(t) = μ1(x) + t (m_c − μ1(x)), m_c = mean μ1 of the ${r.backgroundCount} sampled training examples predicted as c; first t (step ${r.stepSize}, up to ${r.maxStep}) where p(y|z1(t)) predicts c${r.criterion === 'decoded' ? ' and the decoded image is read as c' : ''}; z2 kept`,
    header(r),
    `training examples per class: ${r.classCounts.map((n, c) => `${className(r, c)} ${n}`).join(', ')}`,
  ];
  for (const e of r.examples) {
    lines.push('', `test example ${e.index} (label ${className(r, e.label)}, predicted ${className(r, e.predicted)}):`);
    lines.push(`  ${pad('class', 14)}${pad('step t', 9)}${pad('‖Δz1‖', 9)}${pad('p(c|z1)', 9)}decoded image read as`);
    for (const cf of e.counterfactuals) {
      const step = !cf.available ? 'n/a' : cf.reached ? num(cf.step, 2) : `>${num(cf.step, 2)}`;
      const read = cf.decodedPredicted === undefined ? '-' : `${className(r, cf.decodedPredicted)}${cf.decodedPredicted === cf.classIndex ? '' : ' (not c)'}`;
      lines.push(`  ${pad(className(r, cf.classIndex) + (cf.classIndex === e.predicted ? '*' : ''), 14)}${pad(step, 9)}${pad(num(cf.distance, 2), 9)}${pad(num(cf.probability), 9)}${read}`);
    }
  }
  const others = r.examples.flatMap((e) => e.counterfactuals.filter((c) => c.classIndex !== e.predicted && c.available));
  const reached = others.filter((c) => c.reached);
  const readBack = reached.filter((c) => c.decodedPredicted === c.classIndex);
  lines.push('', `* the predicted class (t = 0). Reached ${reached.length}/${others.length}; mean t ${num(reached.reduce((s, c) => s + c.step, 0) / Math.max(1, reached.length), 2)}; decoded images read back as c: ${readBack.length}/${reached.length} (${num(r.seconds, 1)} s)`);
  return lines.join('\n');
}

export function formatDivergence(r: InvarianceDivergenceReply): string {
  const lines = [
    `Eq. 9: d_k(x, x') = KL(q(z_k|x) ‖ q(z_k|x')) attributed by GradientSHAP (${r.samples} samples) against ${r.background} ${r.baseline === 'train' ? 'training examples' : 'invariant samples of x'}; Σ map ≈ mean d_k`,
    header(r),
    '',
    `${pad('index', 7)}${pad('predicted', 14)}${pad('k', 4)}${pad('Σ map', 11)}${pad('mean d_k', 11)}${pad('gap', 11)}Σ|map|`,
  ];
  for (const e of r.examples) {
    for (const m of e.maps) {
      lines.push(`${pad(m.k === 1 ? String(e.index) : '', 7)}${pad(m.k === 1 ? className(r, e.predicted) : '', 14)}${pad(`z${m.k}`, 4)}${pad(num(m.completeness.sum), 11)}${pad(num(m.completeness.expected), 11)}${pad(num(m.completeness.sum - m.completeness.expected), 11)}${num(m.absoluteSum)}`);
    }
  }
  const mean = (k: 0 | 1) => r.examples.reduce((s, e) => s + e.maps[k].completeness.expected, 0) / Math.max(1, r.examples.length);
  lines.push('', `mean d_1 ${num(mean(0))}, mean d_2 ${num(mean(1))} over ${r.examples.length} examples (${num(r.seconds, 1)} s)`);
  return lines.join('\n');
}

export function formatInvariance(r: InvarianceReply): string {
  switch (r.kind) {
    case 'samples':
      return formatSamples(r);
    case 'curve':
      return formatCurve(r);
    case 'counterfactuals':
      return formatCounterfactuals(r);
    case 'divergence':
      return formatDivergence(r);
  }
}
