/** What every reader returns before validation: the tape and where each row came from. */
export interface ReadResult<T> {
  tape: T;
  /** The 1-based row number to print for row i of the tape (file line, or JSON element / table row). */
  rowOf: (i: number) => number;
  /** Non-fatal notes about the file (dropped columns, clock offsets, ...), each starting with the file name. */
  warnings: string[];
}
