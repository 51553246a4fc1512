/**
 * The line of a training script that loads a dataset file: a string literal
 * naming the file (`'data/train-images.npy'`, `join(dir, 'train-images.npy')`),
 * else an interpolated one whose fixed tail ends the name (`${split}-images.npy`),
 * else the first plain mention of the name. Comments never count.
 */
import * as path from 'node:path';
import { lexJavaScript } from '../scriptPaths/javascriptLexer';
import { lexPython } from '../scriptPaths/pythonLexer';
import { MAX_SCRIPT_CHARS } from '../scriptPaths/checkpointPaths';
import { scriptLanguageOf, type ScriptTokens, type StringLiteral } from '../scriptPaths/scriptTokens';
import type { TextRange } from '../dataLines/textRange';

export interface ScriptMention {
  range: TextRange;
  /** How sure: the full name, a fixed tail of a built name, or nothing found (line 0). */
  match: 'name' | 'tail' | 'none';
}

/** Offset to an editor position, counting CRLF, LF and a lone CR as line breaks. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) {
        if (i + 1 >= end) break;
        i++;
      }
      line++;
      lineStart = i + 1;
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: end - lineStart };
}

function lastSegment(value: string): string {
  return value.split(/[\\/]/).pop() ?? value;
}

/** The fixed end of a literal's last path segment: for `${dir}/a.npy` or f'{d}/a.npy', `a.npy`. */
function fixedTail(literal: StringLiteral): string {
  const value = literal.interpolated ? literal.value.slice(literal.value.lastIndexOf('}') + 1) : literal.value;
  return lastSegment(value.trim());
}

function namesFile(literal: StringLiteral, name: string): boolean {
  return fixedTail(literal) === name;
}

function endsName(literal: StringLiteral, name: string): boolean {
  if (!literal.interpolated) return false;
  const tail = fixedTail(literal);
  return tail.length >= 4 && tail.includes('.') && name.endsWith(tail);
}

function tokensOf(text: string, scriptFile: string): ScriptTokens | undefined {
  const language = scriptLanguageOf(scriptFile);
  if (!language || text.length > MAX_SCRIPT_CHARS) return undefined;
  return language === 'python' ? lexPython(text) : lexJavaScript(text);
}

/** Where the script loads one of `files` (tried in order: the dataset, then a separate labels file). */
export function findDatasetMention(text: string, scriptFile: string, files: readonly string[]): ScriptMention {
  const range = (start: number, end: number): TextRange => ({ start: positionAt(text, start), end: positionAt(text, end) });
  const names = files.map((file) => path.basename(file)).filter((name) => name !== '');
  const tokens = tokensOf(text, scriptFile);
  if (tokens) {
    for (const name of names) {
      const literal = tokens.literals.find((l) => namesFile(l, name));
      if (literal) return { range: range(literal.start, literal.end), match: 'name' };
    }
    for (const name of names) {
      const literal = tokens.literals.find((l) => endsName(l, name));
      if (literal) return { range: range(literal.start, literal.end), match: 'tail' };
    }
  } else if (text.length <= MAX_SCRIPT_CHARS) {
    for (const name of names) {
      const at = text.indexOf(name);
      if (at >= 0) return { range: range(at, at + name.length), match: 'name' };
    }
  }
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, match: 'none' };
}
