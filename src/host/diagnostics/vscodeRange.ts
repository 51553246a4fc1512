import * as vscode from 'vscode';
import type { TextRange } from '../dataLines/textRange';

export const toRange = (r: TextRange): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
