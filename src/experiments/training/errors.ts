/** Thrown for a bad fine-tuning option or call (names the field and the value). */
export class FineTuneError extends Error {
  override readonly name = 'FineTuneError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
