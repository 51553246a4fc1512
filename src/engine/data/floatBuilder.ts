/** A growable Float32Array with a hard cap, so a huge text file fails cleanly instead of exhausting memory. */
export class FloatBuilder {
  private data = new Float32Array(1024);
  length = 0;

  constructor(
    private readonly maxValues: number,
    private readonly onOverflow: () => never,
  ) {}

  push(value: number): void {
    if (this.length === this.data.length) {
      if (this.length >= this.maxValues) this.onOverflow();
      const grown = new Float32Array(Math.min(this.maxValues, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  finish(): Float32Array {
    return this.data.length === this.length ? this.data : this.data.slice(0, this.length);
  }
}

export class IntBuilder {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
