/** Errors of the low-rank lesson's experiments. */

/** Thrown for an invalid option or input; names the field and the value. */
export class LowRankError extends Error {
  override readonly name = 'LowRankError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(
      `${field} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${reason}`,
    );
  }
}
