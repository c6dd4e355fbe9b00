/** Errors of the training-memory calculator. */

/** Thrown for an invalid model shape or memory option (names the field and the value). */
export class MemoryModelError extends Error {
  override readonly name = 'MemoryModelError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
