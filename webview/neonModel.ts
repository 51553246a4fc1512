/**
 * Words and numbers of the NEON section: picker labels, what was explained,
 * the conservation readout, the error bars of inlierness and the fit summary.
 * Pure: no DOM.
 */
import type { NeonConservation, NeonExplained, NeonSpace } from '../src/protocol/engineProtocol';
import { neonExplanations, type NeonModelKind, type PanelNeon, type PanelNeonKde, type PanelNeonKMeans, type PanelNeonSettings } from '../src/protocol/webviewProtocol';
import { formatNumber } from './format';

export const NEON_MODEL_LABELS: Record<NeonModelKind, string> = { kmeans: 'k-means', kde: 'Gaussian KDE' };
export const NEON_SPACE_LABELS: Record<NeonSpace, string> = { input: 'Input space', representation: 'Representation layer' };
export const NEON_EXPLAINED_LABELS: Record<NeonExplained, string> = { clusterMembership: 'Cluster membership f_c(x)', outlierness: 'Outlierness o(x)', inlierness: 'Inlierness î(x), random features' };

export function neonExplainOptions(model: NeonModelKind): { value: string; label: string }[] {
  return neonExplanations(model).map((e) => ({ value: e, label: NEON_EXPLAINED_LABELS[e] }));
}

/** "k-means (k = 10) · cluster membership · representation layer". */
export function neonSettingsText(s: PanelNeonSettings): string {
  const model = s.model === 'kmeans' ? `k-means (k = ${s.k})` : `KDE (γ ${s.gamma > 0 ? `= ${formatNumber(s.gamma)}` : 'auto'})`;
  const explain = s.explain === 'clusterMembership' ? 'cluster membership' : s.explain === 'outlierness' ? 'outlierness' : `inlierness (H = ${s.features}, ${s.draws} draws)`;
  return `${model} · ${explain} · ${s.space === 'input' ? 'input space' : 'representation layer'}`;
}

/** The explained quantity's symbol, e.g. "f_3(x)" for cluster 3. */
export function valueSymbol(explain: NeonExplained, cluster: number | undefined): string {
  if (explain === 'clusterMembership') return `f_${cluster ?? 'c'}(x)`;
  return explain === 'outlierness' ? 'o(x)' : 'î(x)';
}

/** The explained value, with ± its standard deviation over the draws (inlierness) and the exact density it approximates. */
export function neonValueText(r: Pick<PanelNeon, 'value' | 'valueStd' | 'exactDensity' | 'cluster'> & { settings: Pick<PanelNeonSettings, 'explain'> }): string {
  const symbol = valueSymbol(r.settings.explain, r.cluster);
  const std = r.valueStd !== undefined ? ` ± ${formatNumber(r.valueStd)} (std over the draws)` : '';
  const exact = r.exactDensity !== undefined ? ` · exact p̃(x) = ${formatNumber(r.exactDensity)}` : '';
  return `${symbol} = ${formatNumber(r.value)}${std}${exact}`;
}

export interface ConservationReadout {
  text: string;
  /** |dissipated| / |value| above 5%: worth a warning colour. */
  warn: boolean;
  /** Representation space: the part grounded on the layer. */
  grounded?: string;
}

/** Σ R_i against the value, and what the rules dissipated (the ε stabilisers, the ungrounded residual, biases). */
export function conservationReadout(c: NeonConservation): ConservationReadout {
  const share = Math.abs(c.value) > 1e-12 ? Math.abs(c.dissipated) / Math.abs(c.value) : undefined;
  const shareText = share === undefined ? '' : ` (${(share * 100).toFixed(share < 0.01 ? 2 : 1)}% of the value)`;
  const readout: ConservationReadout = {
    text: `Σ relevance ${formatNumber(c.relevanceSum)} vs. value ${formatNumber(c.value)} · dissipated ${formatNumber(c.dissipated)}${shareText}`,
    warn: share !== undefined && share > 0.05,
  };
  if (c.representationSum !== undefined) {
    readout.grounded = `On the representation layer: Σ ${formatNumber(c.representationSum)}, ungrounded residual ${formatNumber(c.groundedResidual ?? c.value - c.representationSum)}`;
  }
  return readout;
}

/** "cluster 3 of 10 (412 of 6000 fitted points)". */
export function clusterText(cluster: number, model: PanelNeonKMeans, fitCount: number): string {
  const size = model.clusterSizes[cluster];
  return `cluster ${cluster} of ${model.k}${size !== undefined ? ` (${size} of ${fitCount} fitted points)` : ''}`;
}

/** One line about the fit: model, points, dimension, where it came from. */
export function fitText(r: Pick<PanelNeon, 'model' | 'fitCount' | 'subsampled' | 'dim' | 'modelCached' | 'layer'>): string {
  const where = r.layer ? `on ${r.layer}` : 'on the inputs';
  const points = `${r.fitCount}${r.subsampled ? ' (a seeded subsample)' : ''} training examples ${where}, ${r.dim} dimensions`;
  const model = r.model.kind === 'kmeans' ? kmeansText(r.model) : kdeText(r.model);
  return `${model}; fitted on ${points}${r.modelCached ? '; fitted model reused' : ''}`;
}

function kmeansText(m: PanelNeonKMeans): string {
  return `k-means, k = ${m.k}, best of ${m.nInit} restart${m.nInit === 1 ? '' : 's'}: objective ${formatNumber(m.objective)} after ${m.iterations} Lloyd iteration${m.iterations === 1 ? '' : 's'}`;
}

function kdeText(m: PanelNeonKde): string {
  return `Gaussian KDE, γ = ${formatNumber(m.gamma)} (${m.gammaSource === 'median' ? 'median heuristic' : 'given'})`;
}

/** The restarts' objectives, with the kept (lowest) one marked. */
export function restartRows(m: PanelNeonKMeans): { restart: number; objective: string; kept: boolean }[] {
  const best = Math.min(...m.restartObjectives.filter(Number.isFinite));
  let marked = false;
  return m.restartObjectives.map((objective, i) => {
    const kept = !marked && objective === best;
    if (kept) marked = true;
    return { restart: i + 1, objective: formatNumber(objective), kept };
  });
}

/** Cluster sizes as shares of the fitted points, for bars. */
export function clusterShares(m: PanelNeonKMeans): { cluster: number; size: number; share: number }[] {
  const total = m.clusterSizes.reduce((a, b) => a + b, 0);
  return m.clusterSizes.map((size, cluster) => ({ cluster, size, share: total > 0 ? size / total : 0 }));
}
