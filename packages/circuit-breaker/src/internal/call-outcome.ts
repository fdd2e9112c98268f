/**
 * Markers that travel through opossum so its rolling window counts a call the way the circuit does:
 * a slow success is rejected with {@link SlowCall} (opossum counts a failure, the caller still gets
 * the value) and an error that `isFailure` excuses is resolved as {@link ExcusedError} (opossum
 * counts a success, the caller still gets the error).
 */
export class SlowCall {
  constructor(readonly value: unknown) {}
}

/** See {@link SlowCall}. */
export class ExcusedError {
  constructor(readonly error: unknown) {}
}
