/** Errors of block-wise quantisation. */

/** Thrown for an invalid quantisation option or input (names the field and the value). */
export class QuantError extends Error {
  override readonly name = 'QuantError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
