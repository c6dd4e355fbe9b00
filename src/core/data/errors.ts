/** Thrown for bad input to a data function; the message names the field and the value. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    /** The argument or field that was wrong, e.g. `maxLen` or `bytes[0..4]`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
