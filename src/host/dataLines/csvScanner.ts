/**
 * An incremental CSV scanner that reports where each record and field sits in
 * the file, fed string chunks of any size (a whole TextDocument or pieces of
 * a stream) with the same result however the text is split.
 *
 * It splits records exactly as the engine's parser (src/engine/data/csv.ts)
 * does for well-formed files: quoted fields may hold commas, "" and line
 * breaks; records end at CRLF, LF or a lone CR; blank lines are skipped.
 * Unlike the engine it never fails: a file being edited is often malformed,
 * and navigation should still land near the right line. A stray quote is
 * kept as text, and an unclosed quoted field runs to the end of the file.
 *
 * A leading UTF-8 BOM is skipped and takes no column: VS Code hides it from
 * the document, and the engine's TextDecoder drops it.
 */
import type { TextPosition } from './textRange';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** One record's layout. `fieldBounds` is reused for the next record: copy what you keep. */
export interface ScannedCsvRecord {
  /** 0-based, counting the header if there is one. */
  index: number;
  start: TextPosition;
  /** Where the record's line break (or the end of the file) starts. */
  end: TextPosition;
  /** Per field: start line, start character, end line, end character. Quotes are inside the range. */
  fieldBounds: readonly number[];
  /** Unquoted field values, for the first record only (header names or detection). */
  firstRecordValues?: readonly string[];
}

export type CsvRecordListener = (record: ScannedCsvRecord) => void;

const enum State {
  RecordStart,
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: either the closing one or the first of "". */
  QuoteInQuoted,
}

export class CsvLayoutScanner {
  private state = State.RecordStart;
  private line = 0;
  private character = 0;
  private pendingCr = false;
  private atFileStart = true;
  private finished = false;
  private recordIndex = 0;
  private recordStartLine = 0;
  private recordStartCharacter = 0;
  private readonly fieldBounds: number[] = [];
  private firstValues: string[] | undefined = [];
  private fieldText = '';

  constructor(private readonly onRecord: CsvRecordListener) {}

  push(chunk: string): void {
    if (this.finished) throw new Error('CsvLayoutScanner: push after finish');
    for (let i = 0; i < chunk.length; i++) this.consume(chunk.charCodeAt(i));
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.state !== State.RecordStart) this.endRecord();
  }

  private consume(code: number): void {
    if (this.atFileStart) {
      this.atFileStart = false;
      if (code === BOM) return;
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      // The LF of a CRLF: the CR already ended the line.
      if (code === LF) return;
    }
    const lineBreak = code === LF || code === CR;
    switch (this.state) {
      case State.RecordStart:
        if (lineBreak) return this.breakLine(code);
        this.recordStartLine = this.line;
        this.recordStartCharacter = this.character;
        this.state = State.FieldStart;
        return this.consume(code);
      case State.FieldStart:
        this.fieldBounds.push(this.line, this.character);
        if (code === QUOTE) {
          this.state = State.Quoted;
          return this.advance();
        }
        this.state = State.Unquoted;
        return this.consume(code);
      case State.Unquoted:
        if (code === COMMA) return this.endField(true);
        if (lineBreak) return this.endRecordAt(code);
        this.keep(code);
        return this.advance();
      case State.Quoted:
        if (code === QUOTE) {
          this.state = State.QuoteInQuoted;
          return this.advance();
        }
        this.keep(code);
        return lineBreak ? this.breakLine(code) : this.advance();
      case State.QuoteInQuoted:
        if (code === QUOTE) {
          this.keep(code);
          this.state = State.Quoted;
          return this.advance();
        }
        if (code === COMMA) return this.endField(true);
        if (lineBreak) return this.endRecordAt(code);
        // Text after a closing quote: the engine rejects it; here it just joins the field.
        this.state = State.Unquoted;
        return this.consume(code);
    }
  }

  private advance(): void {
    this.character++;
  }

  private breakLine(code: number): void {
    this.line++;
    this.character = 0;
    this.pendingCr = code === CR;
  }

  private keep(code: number): void {
    if (this.firstValues) this.fieldText += String.fromCharCode(code);
  }

  private endField(another: boolean): void {
    this.fieldBounds.push(this.line, this.character);
    if (this.firstValues) {
      this.firstValues.push(this.fieldText);
      this.fieldText = '';
    }
    if (another) {
      this.advance();
      this.state = State.FieldStart;
    }
  }

  private endRecordAt(code: number): void {
    this.endRecord();
    this.breakLine(code);
  }

  private endRecord(): void {
    // A record ending right after a comma (or at its first character) ends with an empty field.
    if (this.state === State.FieldStart) this.fieldBounds.push(this.line, this.character);
    this.endField(false);
    const record: ScannedCsvRecord = {
      index: this.recordIndex++,
      start: { line: this.recordStartLine, character: this.recordStartCharacter },
      end: { line: this.line, character: this.character },
      fieldBounds: this.fieldBounds,
    };
    if (this.firstValues) record.firstRecordValues = this.firstValues;
    this.onRecord(record);
    this.fieldBounds.length = 0;
    this.firstValues = undefined;
    this.state = State.RecordStart;
  }
}
