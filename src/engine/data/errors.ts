/**
 * The one error type the data and checkpoint loaders throw for bad input, so
 * callers can show "file: problem" to the user and map it to a location.
 */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DataFileError';
  }
}

/** Whatever went wrong inside a reader, the caller sees a DataFileError naming the file. */
export function asDataFileError(file: string, error: unknown, context = 'could not be read'): DataFileError {
  if (error instanceof DataFileError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new DataFileError(file, `${context} (${detail})`);
}
