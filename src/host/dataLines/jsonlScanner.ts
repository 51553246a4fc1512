/**
 * An incremental JSON Lines scanner that reports where each data row sits,
 * counting rows as the engine's loader (src/engine/data/jsonl.ts) does: lines
 * end at LF, and a line that is empty or only whitespace is not a row (the
 * engine skips it), so row i is the i-th non-blank line. A CR before the LF
 * is not part of the row's range. A lone CR does not end a line for the
 * engine; VS Code would break the line there, but such files are not JSONL.
 * A leading UTF-8 BOM is skipped and takes no column, as in CSV.
 */

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
const WHITESPACE = /\s/;

export interface ScannedJsonlRow {
  /** 0-based data row. */
  row: number;
  /** 0-based line. */
  line: number;
  /** Length of the line in UTF-16 units, without its CR. */
  endCharacter: number;
}

function isBlankCode(code: number): boolean {
  if (code > 0x20 && code < 0x7f) return false;
  // The same set String.prototype.trim removes, which the engine's blank test uses.
  return WHITESPACE.test(String.fromCharCode(code));
}

export class JsonlLayoutScanner {
  private line = 0;
  private row = 0;
  private length = 0;
  private endsWithCr = false;
  private blank = true;
  private atFileStart = true;
  private finished = false;

  constructor(private readonly onRow: (row: ScannedJsonlRow) => void) {}

  push(chunk: string): void {
    if (this.finished) throw new Error('JsonlLayoutScanner: push after finish');
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i);
      if (this.atFileStart) {
        this.atFileStart = false;
        if (code === BOM) continue;
      }
      if (code === LF) {
        this.endLine();
        continue;
      }
      this.length++;
      this.endsWithCr = code === CR;
      if (this.blank && !isBlankCode(code)) this.blank = false;
    }
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endLine();
  }

  private endLine(): void {
    if (!this.blank) this.onRow({ row: this.row++, line: this.line, endCharacter: this.length - (this.endsWithCr ? 1 : 0) });
    this.line++;
    this.length = 0;
    this.endsWithCr = false;
    this.blank = true;
  }
}
