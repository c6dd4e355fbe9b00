/** Typed errors of the LoRA layer beyond configuration ({@link LoraConfigError}). */

/** An operation that the adapters' current state forbids (unknown name, merged adapters …). */
export class AdapterStateError extends Error {
  override readonly name = 'AdapterStateError';
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

/** Merging refused because ΔW holds NaN or ±Inf (names the module). */
export class LoraMergeError extends Error {
  override readonly name = 'LoraMergeError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}

/** A saved adapter does not fit the model (names the tensor or field and the value). */
export class AdapterLoadError extends Error {
  override readonly name = 'AdapterLoadError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field} = ${String(value)}: ${reason}`);
  }
}
