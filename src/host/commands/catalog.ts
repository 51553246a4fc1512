/**
 * Every command the extension contributes, with its palette title and when
 * it applies. package.json's `contributes` must agree with this (a unit test
 * checks it); the handlers are registered in extension.ts. Free of `vscode`.
 */

export const CATEGORY = 'Model Debugger';

/** Context keys the extension sets. */
export const CONTEXT = {
  /** A modeldebug.json exists in the workspace. */
  hasRuns: 'modelDebugger.hasRuns',
  /** The folders holding a model.json (for the explorer's folder entry). */
  checkpointFolders: 'modelDebugger.checkpointFolders',
  /** The cursor in a training script sits on a path that leads to a checkpoint. */
  cursorOnCheckpoint: 'modelDebugger.cursorOnCheckpoint',
  /** An explanation panel is open. */
  panelOpen: 'modelDebugger.panelOpen',
  /** An engine process has been started in this window. */
  engineStarted: 'modelDebugger.engineStarted',
} as const;

const TRUSTED = 'isWorkspaceTrusted';
/** A run to work on: a manifest in the workspace, or an open panel (its manifest may live outside, saved by the wizard). */
const HAS_RUNS = `${TRUSTED} && (${CONTEXT.hasRuns} || ${CONTEXT.panelOpen})`;

export interface CommandSpec {
  id: string;
  title: string;
  /** Refused in Restricted Mode (all but the log, which only shows an output channel). */
  needsTrust: boolean;
  /** When it shows in the command palette; `false` hides it there. */
  palette: string | false;
}

export const COMMANDS = {
  explain: { id: 'modelDebugger.explainCheckpoint', title: 'Explain Checkpoint…', needsTrust: true, palette: `${TRUSTED} && workspaceFolderCount > 0` },
  /** The context-menu and CodeLens entry: a model.json, a checkpoint folder, or the path under the cursor in a script. */
  explainThis: { id: 'modelDebugger.explainThisCheckpoint', title: 'Explain this checkpoint', needsTrust: true, palette: false },
  findSuspicious: { id: 'modelDebugger.findSuspicious', title: 'Find Suspicious Training Examples', needsTrust: true, palette: HAS_RUNS },
  reviewSuspicious: { id: 'modelDebugger.reviewSuspicious', title: 'Review Suspicious Training Examples', needsTrust: true, palette: HAS_RUNS },
  compare: { id: 'modelDebugger.compareRepresentations', title: 'Compare Representations', needsTrust: true, palette: HAS_RUNS },
  consistency: { id: 'modelDebugger.runConsistencyChecks', title: 'Run Consistency Checks', needsTrust: true, palette: HAS_RUNS },
  units: { id: 'modelDebugger.showLatentUnits', title: 'Show Latent Units', needsTrust: true, palette: HAS_RUNS },
  neon: { id: 'modelDebugger.explainClusters', title: 'Explain Clusters and Outliers (NEON)', needsTrust: true, palette: HAS_RUNS },
  semantic: { id: 'modelDebugger.semanticShapley', title: 'Semantic Shapley Values', needsTrust: true, palette: HAS_RUNS },
  showLog: { id: 'modelDebugger.showEngineLog', title: 'Show Engine Log', needsTrust: false, palette: 'true' },
  restart: { id: 'modelDebugger.restartEngine', title: 'Restart Engine', needsTrust: true, palette: `${TRUSTED} && ${CONTEXT.engineStarted}` },
  selectBackend: { id: 'modelDebugger.selectBackend', title: 'Select Backend', needsTrust: true, palette: TRUSTED },
  clearCache: { id: 'modelDebugger.clearCache', title: 'Clear Cache', needsTrust: true, palette: `${TRUSTED} && workspaceFolderCount > 0` },
  exportReport: { id: 'modelDebugger.exportReport', title: 'Export Report', needsTrust: true, palette: HAS_RUNS },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** The explorer's entry: on a model.json, and on a folder holding one. */
export const EXPLORER_WHEN = `${TRUSTED} && (resourceFilename == model.json || resourcePath in ${CONTEXT.checkpointFolders})`;
/** The editor's context-menu entry in a training script. */
export const EDITOR_CONTEXT_WHEN = `${TRUSTED} && ${CONTEXT.cursorOnCheckpoint}`;

/** What the section commands ask when no panel is open and the workspace has several runs. */
export const SECTION_TITLES = {
  compare: 'compare the representations of which run?',
  consistency: 'run the consistency checks on which run?',
  units: 'show the latent units of which run?',
  suspicious: 'find suspicious training examples in which run?',
  neon: 'explain clusters and outliers of which run?',
  semantic: 'compute semantic Shapley values for which run?',
  invariance: 'show the invariances of which supervised VAE run?',
} as const;

/**
 * The comparison needs the other encoder picked first, so it only opens; the checks run. NEON and
 * semantic Shapley values run for the shown example with the saved settings; the invariances only open.
 */
export const RUNS_ON_OPEN = { compare: false, consistency: true, units: true, suspicious: true, neon: true, semantic: true, invariance: false } as const;
