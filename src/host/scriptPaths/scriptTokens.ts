/**
 * What the path finders need from a training script: its string literals
 * (with their unescaped values) and its comments, plus a copy of the text in
 * which both are blanked out, so searching it for calls and operators cannot
 * be fooled by a `(` in a string or a save call in a comment. The blanked copy
 * keeps every offset.
 */

export type ScriptLanguage = 'javascript' | 'python';

export interface Span {
  start: number;
  end: number;
}

export interface StringLiteral extends Span {
  /** The string's value: escapes resolved, quotes and prefixes removed. */
  value: string;
  /** A template literal with `${}` or an f-string with `{}`: its value is not known. */
  interpolated: boolean;
}

export interface ScriptTokens {
  language: ScriptLanguage;
  literals: StringLiteral[];
  comments: Span[];
  /** The text with comments as spaces and string literals as 'S', line breaks kept. */
  masked: string;
}

const SCRIPT_EXTENSIONS: Record<string, ScriptLanguage> = {
  '.py': 'python',
  '.pyw': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'javascript',
  '.mts': 'javascript',
  '.cts': 'javascript',
  '.tsx': 'javascript',
};

const LANGUAGE_IDS: Record<string, ScriptLanguage> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'javascript',
  typescriptreact: 'javascript',
};

/** The lexer for a file name or a VS Code language id; undefined for anything else. */
export function scriptLanguageOf(fileNameOrLanguageId: string): ScriptLanguage | undefined {
  const key = fileNameOrLanguageId.toLowerCase();
  const dot = key.lastIndexOf('.');
  return LANGUAGE_IDS[key] ?? (dot >= 0 ? SCRIPT_EXTENSIONS[key.slice(dot)] : undefined);
}

export function maskSpans(text: string, literals: readonly Span[], comments: readonly Span[]): string {
  const chars = text.split('');
  const blank = (spans: readonly Span[], fill: string): void => {
    for (const { start, end } of spans) {
      for (let i = start; i < end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = fill;
    }
  };
  blank(literals, 'S');
  blank(comments, ' ');
  return chars.join('');
}

export function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') return i;
  }
  return text.length;
}

export function isIdentifierStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_$]/.test(c);
}

export function isIdentifierPart(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}
