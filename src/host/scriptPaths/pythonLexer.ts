/**
 * Finds string literals and comments in Python: all quote styles, triple
 * quotes, and the r/b/u/f prefixes (raw strings keep their backslashes,
 * f-strings with a `{}` field are marked as interpolated).
 */
import { isIdentifierPart, isIdentifierStart, lineEnd, maskSpans, type ScriptTokens, type Span, type StringLiteral } from './scriptTokens';

const STRING_PREFIXES = new Set(['r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"' };

function readString(text: string, start: number, quoteAt: number, prefix: string): StringLiteral {
  const quote = text[quoteAt]!;
  const triple = text.startsWith(quote.repeat(3), quoteAt);
  const raw = prefix.includes('r');
  const formatted = prefix.includes('f');
  let value = '';
  let interpolated = false;
  let i = quoteAt + (triple ? 3 : 1);
  for (;;) {
    if (i >= text.length) break;
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      if (next === '\n' || next === '\r') {
        if (raw) value += c + next;
        i += next === '\r' && text[i + 2] === '\n' ? 3 : 2;
      } else if (raw) {
        value += c + next;
        i += 2;
      } else {
        // Python keeps the backslash of an escape it does not know ('C:\data' stays as written).
        value += SIMPLE_ESCAPES[next] ?? c + next;
        i += 2;
      }
      continue;
    }
    if (triple ? text.startsWith(quote.repeat(3), i) : c === quote) {
      i += triple ? 3 : 1;
      break;
    }
    // An unterminated one-line string ends at the line break, as the editor shows it.
    if (!triple && (c === '\n' || c === '\r')) break;
    if (formatted && (c === '{' || c === '}')) {
      if (text[i + 1] === c) {
        value += c;
        i += 2;
        continue;
      }
      if (c === '{') interpolated = true;
    }
    value += c;
    i++;
  }
  return { start, end: i, value, interpolated };
}

export function lexPython(text: string): ScriptTokens {
  const literals: StringLiteral[] = [];
  const comments: Span[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      const end = lineEnd(text, i);
      comments.push({ start: i, end });
      i = end;
    } else if (c === "'" || c === '"') {
      const literal = readString(text, i, i, '');
      literals.push(literal);
      i = literal.end;
    } else if (isIdentifierStart(c)) {
      let end = i + 1;
      while (isIdentifierPart(text[end])) end++;
      const word = text.slice(i, end).toLowerCase();
      const quote = text[end];
      if (STRING_PREFIXES.has(word) && (quote === "'" || quote === '"')) {
        const literal = readString(text, i, end, word);
        literals.push(literal);
        i = literal.end;
      } else {
        i = end;
      }
    } else {
      i++;
    }
  }
  return { language: 'python', literals, comments, masked: maskSpans(text, literals, comments) };
}
