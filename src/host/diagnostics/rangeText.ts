/**
 * Collects the text of some editor ranges from a file's text fed in chunks,
 * counting lines as VS Code does (CRLF, LF or a lone CR end a line; a leading
 * BOM is hidden). Stops being hungry once the last range has been read, so a
 * streamed reader can stop early.
 */
import type { TextPosition, TextRange } from '../dataLines/textRange';

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

export const MAX_RANGE_CHARS = 4 * 1024 * 1024;

function before(a: TextPosition, b: TextPosition): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

export class RangeTextCollector {
  private readonly ranges: TextRange[];
  private readonly texts: Array<string | undefined>;
  private readonly parts: string[] = [];
  private partChars = 0;
  private next = 0;
  private line = 0;
  private character = 0;
  private pendingCr = false;
  private atFileStart = true;
  private inside = false;
  private overflow = false;

  /** Ranges must not overlap. */
  constructor(ranges: readonly TextRange[]) {
    this.ranges = [...ranges].sort((a, b) => (before(a.start, b.start) ? -1 : before(b.start, a.start) ? 1 : 0));
    this.texts = new Array<string | undefined>(this.ranges.length);
  }

  get complete(): boolean {
    return this.next >= this.ranges.length;
  }

  push(chunk: string): boolean {
    for (let i = 0; i < chunk.length && !this.complete; i++) this.consume(chunk.charCodeAt(i), chunk[i]!);
    return this.complete;
  }

  finish(): void {
    this.settle();
    if (this.inside) this.close();
  }

  /** The text of a range given to the constructor; undefined when the file ended first or it was too long. */
  textOf(range: TextRange): string | undefined {
    const i = this.ranges.findIndex((r) => r.start.line === range.start.line && r.start.character === range.start.character && r.end.line === range.end.line && r.end.character === range.end.character);
    return i < 0 ? undefined : this.texts[i];
  }

  private settle(): void {
    // Ranges that end where the text now is are closed; empty ranges too.
    for (;;) {
      const range = this.ranges[this.next];
      if (!range) return;
      const here = { line: this.line, character: this.character };
      if (!this.inside && !before(here, range.start)) this.inside = true;
      if (this.inside && !before(here, range.end)) {
        this.close();
        continue;
      }
      return;
    }
  }

  private close(): void {
    this.texts[this.next] = this.overflow ? undefined : this.parts.join('');
    this.parts.length = 0;
    this.partChars = 0;
    this.overflow = false;
    this.inside = false;
    this.next++;
  }

  private consume(code: number, char: string): void {
    if (this.atFileStart) {
      this.atFileStart = false;
      if (code === BOM) return;
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      if (code === LF) {
        if (this.inside) this.keep(char);
        return;
      }
    }
    this.settle();
    if (this.complete) return;
    if (this.inside) this.keep(char);
    if (code === LF || code === CR) {
      this.line++;
      this.character = 0;
      this.pendingCr = code === CR;
    } else {
      this.character++;
    }
    this.settle();
  }

  private keep(char: string): void {
    if (this.overflow) return;
    if (++this.partChars > MAX_RANGE_CHARS) {
      this.overflow = true;
      this.parts.length = 0;
      return;
    }
    this.parts.push(char);
  }
}
