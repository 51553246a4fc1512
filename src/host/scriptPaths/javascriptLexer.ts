/**
 * Finds string literals and comments in JavaScript or TypeScript. Not a full
 * tokenizer: it knows just enough (regex literals, template nesting) not to
 * mistake one for the other.
 */
import { isIdentifierPart, isIdentifierStart, lineEnd, maskSpans, type ScriptTokens, type Span, type StringLiteral } from './scriptTokens';

/** After these words a `/` starts a regex, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

function unicodeEscape(text: string, at: number): { value: string; length: number } | undefined {
  const c = text[at];
  const hex = (digits: string): string | undefined => (/^[0-9a-fA-F]+$/.test(digits) ? String.fromCodePoint(parseInt(digits, 16)) : undefined);
  if (c === 'x') {
    const value = hex(text.slice(at + 1, at + 3));
    return value === undefined ? undefined : { value, length: 3 };
  }
  if (c === 'u' && text[at + 1] === '{') {
    const close = text.indexOf('}', at);
    const value = close > 0 && close - at <= 8 ? hex(text.slice(at + 2, close)) : undefined;
    return value === undefined ? undefined : { value, length: close - at + 1 };
  }
  if (c === 'u') {
    const value = hex(text.slice(at + 1, at + 5));
    return value === undefined ? undefined : { value, length: 5 };
  }
  return undefined;
}

class JavaScriptLexer {
  readonly literals: StringLiteral[] = [];
  readonly comments: Span[] = [];

  constructor(private readonly text: string) {}

  /** Scans code from `i`; inside a template's `${`, stops after its closing brace. */
  scanCode(i: number, insideInterpolation: boolean): number {
    const text = this.text;
    let depth = 0;
    let regexAllowed = true;
    while (i < text.length) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '/' && next === '/') {
        i = this.comment(i, lineEnd(text, i));
      } else if (c === '/' && next === '*') {
        const close = text.indexOf('*/', i + 2);
        i = this.comment(i, close < 0 ? text.length : close + 2);
      } else if (c === "'" || c === '"') {
        i = this.quoted(i, c);
        regexAllowed = false;
      } else if (c === '`') {
        i = this.template(i);
        regexAllowed = false;
      } else if (c === '/' && regexAllowed) {
        i = this.skipRegex(i);
        regexAllowed = false;
      } else if (isIdentifierStart(c)) {
        let end = i + 1;
        while (isIdentifierPart(text[end])) end++;
        regexAllowed = KEYWORDS_BEFORE_EXPRESSION.has(text.slice(i, end));
        i = end;
      } else if (/\d/.test(c)) {
        while (/[\w.]/.test(text[i] ?? '')) i++;
        regexAllowed = false;
      } else {
        if (insideInterpolation && c === '{') depth++;
        if (insideInterpolation && c === '}') {
          if (depth === 0) return i + 1;
          depth--;
        }
        if (!/\s/.test(c)) regexAllowed = !(c === ')' || c === ']' || c === '}');
        i++;
      }
    }
    return i;
  }

  private comment(start: number, end: number): number {
    this.comments.push({ start, end });
    return end;
  }

  /** Reads the escape at `i` (the backslash); returns its value and the index after it. */
  private escape(i: number): { value: string; next: number } {
    const c = this.text[i + 1];
    if (c === undefined) return { value: '', next: i + 1 };
    if (c === '\r') return { value: '', next: this.text[i + 2] === '\n' ? i + 3 : i + 2 };
    if (c === '\n') return { value: '', next: i + 2 };
    const unicode = unicodeEscape(this.text, i + 1);
    if (unicode) return { value: unicode.value, next: i + 1 + unicode.length };
    return { value: SIMPLE_ESCAPES[c] ?? c, next: i + 2 };
  }

  private quoted(start: number, quote: string): number {
    const text = this.text;
    let value = '';
    let i = start + 1;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        const escaped = this.escape(i);
        value += escaped.value;
        i = escaped.next;
        continue;
      }
      if (c === quote) {
        i++;
        break;
      }
      // An unterminated string ends at the line break, as the editor shows it.
      if (c === '\n' || c === '\r') break;
      value += c;
      i++;
    }
    this.literals.push({ start, end: i, value, interpolated: false });
    return i;
  }

  private template(start: number): number {
    const text = this.text;
    let value = '';
    let interpolated = false;
    let i = start + 1;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') {
        const escaped = this.escape(i);
        value += escaped.value;
        i = escaped.next;
      } else if (c === '`') {
        i++;
        break;
      } else if (c === '$' && text[i + 1] === '{') {
        interpolated = true;
        i = this.scanCode(i + 2, true);
      } else {
        value += c;
        i++;
      }
    }
    this.literals.push({ start, end: i, value, interpolated });
    return i;
  }

  private skipRegex(start: number): number {
    const text = this.text;
    let inClass = false;
    let i = start + 1;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '\n' || c === '\r') return i;
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) return i + 1;
    }
    return i;
  }
}

export function lexJavaScript(text: string): ScriptTokens {
  const lexer = new JavaScriptLexer(text);
  lexer.scanCode(0, false);
  const literals = lexer.literals.sort((a, b) => a.start - b.start);
  return { language: 'javascript', literals, comments: lexer.comments, masked: maskSpans(text, literals, lexer.comments) };
}
