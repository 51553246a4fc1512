/**
 * Keeps the shown examples on their rows while their files are edited: rows shift at once with
 * every change, and are re-checked against the text (without the engine) once typing pauses.
 */
import * as vscode from 'vscode';
import { describeError } from '../panel/errors';
import { KeyedDebouncer } from './debounce';
import { shiftRows } from './flaggedRows';
import type { TextChange } from './lineShift';
import { mapRowsInText } from './rowMapping';
import { summaryPlace } from './rowPlacement';
import { samePath, type RunState } from './runState';

const REMAP_DEBOUNCE_MS = 400;

export class EditFollower implements vscode.Disposable {
  private readonly remaps = new KeyedDebouncer(REMAP_DEBOUNCE_MS);

  /** `states` is the controller's live map: a state no longer in it was replaced or dropped. */
  constructor(
    private readonly states: ReadonlyMap<string, RunState>,
    private readonly log: vscode.LogOutputChannel,
    private readonly publish: () => void,
  ) {}

  documentChanged(event: vscode.TextDocumentChangeEvent): void {
    if (event.document.uri.scheme !== 'file' || event.contentChanges.length === 0) return;
    const file = event.document.uri.fsPath;
    const changes: TextChange[] = event.contentChanges.map((c) => ({
      range: { start: { line: c.range.start.line, character: c.range.start.character }, end: { line: c.range.end.line, character: c.range.end.character } },
      text: c.text,
    }));
    let touched = false;
    for (const state of this.states.values()) {
      if (state.target.kind === 'text' && samePath(state.target.file, file) && state.rows.length > 0) {
        state.rows = shiftRows(state.rows, changes);
        touched = true;
        this.remaps.schedule(state.manifestPath, () => this.remap(state, event.document));
      } else if (state.summary && samePath(state.summary.file, file) && state.shown.length > 0) {
        this.remaps.schedule(`summary:${state.manifestPath}`, () => {
          void summaryPlace(this.log, state).then((summary) => {
            if (this.states.get(state.manifestPath) !== state) return;
            state.summary = summary;
            this.publish();
          });
        });
      }
    }
    if (touched) this.publish();
  }

  /** Checks every shifted row still holds its flagged label, without the engine. */
  private remap(state: RunState, document: vscode.TextDocument): void {
    if (this.states.get(state.manifestPath) !== state || state.target.kind !== 'text' || document.isClosed) return;
    try {
      const report = mapRowsInText(document.getText(), state.target, { by: 'line', rows: state.rows.map((r) => ({ example: r.example, line: r.line })) });
      state.rows = report.mapped;
      this.publish();
    } catch (error) {
      this.log.warn(`${state.target.file}: re-placing the flagged rows after an edit failed: ${describeError(error)}`);
    }
  }

  dispose(): void {
    this.remaps.dispose();
  }
}
