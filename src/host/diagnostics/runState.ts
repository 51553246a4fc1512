/** What the suspicious-label diagnostics keep per run manifest. */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { SuspiciousTrainingExample } from '../../protocol/engineProtocol';
import type { RunManifest } from '../../protocol/manifest';
import type { TextRange } from '../dataLines/textRange';
import type { LabelTarget } from './labelTarget';
import type { MappedRow } from './rowMapping';
import type { CheckedSuspicious } from './suspiciousResult';

export interface RunState {
  manifestPath: string;
  manifest: RunManifest;
  name: string;
  workspaceFolder: string;
  target: LabelTarget;
  /** The last result published (validated), and the limit it was asked with. */
  result?: CheckedSuspicious;
  limit?: number;
  /** What is shown, after the score filter. */
  shown: SuspiciousTrainingExample[];
  /** Text targets: where the shown examples are now. */
  rows: MappedRow[];
  /** Binary targets: the summary's file and range. */
  summary?: { file: string; range: TextRange };
  watchers: vscode.Disposable[];
}

export const samePath = (a: string, b: string): boolean => path.resolve(a) === path.resolve(b);
