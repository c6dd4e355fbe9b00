/** Errors of the adapter-placement module. */

/** Thrown for an invalid adapter, benchmark or experiment option; names the field and the value. */
export class PlacementError extends Error {
  override readonly name = 'PlacementError';
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
