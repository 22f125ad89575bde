/**
 * An error caused by the user's input (a bad file, flag or config field).
 * The CLI prints its message without a stack trace and exits with code 2.
 * Messages name the file, row or field at fault.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** Error about a specific data file row: `file:row: message`. Rows are 1-based lines of the file. */
export class DataError extends UserError {
  override name = 'DataError';
  constructor(
    readonly file: string,
    readonly row: number | null,
    detail: string,
  ) {
    super(row === null ? `${file}: ${detail}` : `${file}: row ${row}: ${detail}`);
  }
}
