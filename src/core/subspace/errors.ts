/** Errors of subspace training. */

/** Thrown for an invalid subspace option or input (names the field and the value). */
export class SubspaceError extends Error {
  override readonly name = 'SubspaceError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
