/** Compare Representations, Run Consistency Checks, Show Latent Units: the panel, at that section. */
import type { PanelSection } from '../../protocol/webviewProtocol';
import { explainRun, pickRun, type ExplainCommandDependencies } from '../explainCommand';
import { RUNS_ON_OPEN, SECTION_TITLES } from './catalog';

export async function openPanelSection(deps: ExplainCommandDependencies, manifests: () => Promise<string[]>, section: PanelSection): Promise<void> {
  const run = RUNS_ON_OPEN[section];
  if (deps.panels.revealSection(section, run)) return;
  const manifest = await pickRun(await manifests(), SECTION_TITLES[section]);
  if (manifest) await explainRun(deps, manifest, { section, run });
}
