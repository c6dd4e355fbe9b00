/** Errors of the QLoRA experiment. */

/** Thrown for an invalid experiment option; names the field and the value. */
export class QloraError extends Error {
  override readonly name = 'QloraError';
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
