/** Where a run's flagged examples go: the rows of a text labels file, or a line of the training script. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STREAM_ABOVE_BYTES } from '../dataLines/streamText';
import type { TextRange } from '../dataLines/textRange';
import { isInside } from '../manifest/manifestDiscovery';
import type { LabelTarget } from './labelTarget';
import { mapRowsInFile, mapRowsInText, type Lookup, type MappingReport } from './rowMapping';
import { samePath, type RunState } from './runState';
import { findDatasetMention } from './scriptLine';

export function logMapping(log: vscode.LogOutputChannel, state: RunState, report: MappingReport): void {
  const file = state.target.file;
  if (report.missing.length > 0) log.warn(`${file}: ${report.missing.length} flagged rows are past the end of the file (it changed since the check?).`);
  if (report.changed.length > 0) log.info(`${file}: ${report.changed.length} flagged rows no longer hold the flagged label; not shown.`);
  if (report.lineMismatches > 0) log.warn(`${file}: the engine placed ${report.lineMismatches} flagged rows on other lines than the file has them; using the file's.`);
}

/** Rows from the open document when there is one (and it is small enough to be one), else from disk. */
export async function mapRows(file: string, target: Extract<LabelTarget, { kind: 'text' }>, lookup: Lookup): Promise<MappingReport> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as Error).message})`);
  }
  if (size > STREAM_ABOVE_BYTES) return mapRowsInFile(file, target, lookup);
  const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file));
  const text = document ? document.getText() : await fs.readFile(file, 'utf8');
  return mapRowsInText(text, target, lookup);
}

export async function summaryPlace(log: vscode.LogOutputChannel, state: RunState): Promise<RunState['summary']> {
  const zero: TextRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const script = state.manifest.script && path.resolve(path.dirname(state.manifestPath), state.manifest.script);
  if (!script || !isInside(state.workspaceFolder, script)) return { file: state.manifestPath, range: zero };
  try {
    const info = await fs.stat(script);
    if (!info.isFile() || info.size > 4 * 1024 * 1024) return { file: script, range: zero };
    const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, script));
    const text = document ? document.getText() : await fs.readFile(script, 'utf8');
    const target = state.target;
    const files = target.kind === 'binary' ? [target.file, ...(target.labelsFile ? [target.labelsFile] : [])] : [target.file];
    return { file: script, range: findDatasetMention(text, script, files).range };
  } catch (error) {
    log.warn(`${script}: cannot read the training script (${(error as Error).message}); the summary goes on its first line.`);
    return { file: script, range: zero };
  }
}
