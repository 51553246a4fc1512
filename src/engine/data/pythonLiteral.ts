/**
 * A strict parser for the tiny subset of Python literals that .npy headers
 * use: dicts, tuples, lists, plain strings, non-negative integers, True,
 * False and None. Anything else is an error; nothing is ever evaluated.
 */

export type PyValue = string | number | boolean | null | PyTuple | PyList | PyDict;
export interface PyTuple {
  kind: 'tuple';
  items: PyValue[];
}
export interface PyList {
  kind: 'list';
  items: PyValue[];
}
export interface PyDict {
  kind: 'dict';
  entries: Map<string, PyValue>;
}

const MAX_DEPTH = 16;

export class PyLiteralError extends Error {}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  fail(problem: string): never {
    throw new PyLiteralError(`${problem} at character ${this.at + 1}`);
  }

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.at];
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}'`);
    this.at++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.at >= this.text.length;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail('nesting is too deep');
    const char = this.peek();
    if (char === '{') return this.dict(depth);
    if (char === '(') return this.sequence('(', ')', depth);
    if (char === '[') return this.sequence('[', ']', depth);
    if (char === "'" || char === '"') return this.string();
    if (char !== undefined && char >= '0' && char <= '9') return this.integer();
    const word = /^[A-Za-z_]+/.exec(this.text.slice(this.at, this.at + 16))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      this.at += word.length;
      return word === 'None' ? null : word === 'True';
    }
    return this.fail(char === undefined ? 'unexpected end of text' : `unexpected '${char}'`);
  }

  string(): string {
    const quote = this.text[this.at]!;
    const end = this.text.indexOf(quote, this.at + 1);
    if (end < 0) this.fail('unterminated string');
    const body = this.text.slice(this.at + 1, end);
    if (/[\\\n\r]/.test(body)) this.fail('escapes and line breaks are not allowed in strings');
    this.at = end + 1;
    return body;
  }

  integer(): number {
    const match = /^(0|[1-9][0-9]*)L?(?![0-9A-Za-z_.])/.exec(this.text.slice(this.at, this.at + 40));
    if (!match) this.fail('malformed integer');
    const value = Number(match[1]);
    if (!Number.isSafeInteger(value)) this.fail(`integer ${match[1]} is too large`);
    this.at += match[0].length;
    return value;
  }

  sequence(open: '(' | '[', close: ')' | ']', depth: number): PyTuple | PyList {
    this.expect(open);
    const items: PyValue[] = [];
    let sawComma = false;
    while (this.peek() !== close) {
      items.push(this.value(depth + 1));
      sawComma = this.peek() === ',';
      if (!sawComma) break;
      this.at++;
    }
    this.expect(close);
    // In Python `(3)` is the integer 3, not a tuple; only `(3,)` is a 1-tuple.
    if (open === '(' && items.length === 1 && !sawComma) this.fail('a parenthesised single value is not a tuple (write (n,))');
    return { kind: open === '(' ? 'tuple' : 'list', items };
  }

  dict(depth: number): PyDict {
    this.expect('{');
    const entries = new Map<string, PyValue>();
    while (this.peek() !== '}') {
      const quote = this.peek();
      if (quote !== "'" && quote !== '"') this.fail('dict keys must be strings');
      const key = this.string();
      if (entries.has(key)) this.fail(`duplicate key '${key}'`);
      this.expect(':');
      entries.set(key, this.value(depth + 1));
      if (this.peek() !== ',') break;
      this.at++;
    }
    this.expect('}');
    return { kind: 'dict', entries };
  }
}

export function parsePythonLiteral(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value(0);
  if (!parser.atEnd()) parser.fail('unexpected text after the literal');
  return value;
}
