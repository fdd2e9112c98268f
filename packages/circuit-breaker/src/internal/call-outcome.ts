/**
 * Markers that travel through opossum so its rolling window counts a call the way the circuit does:
 * a slow success is rejected with {@link SlowCall} (opossum counts a failure, the caller still gets
 * the value), so is a value `isFailureResult` counts ({@link FailedResult}), and an error that `isFailure` excuses is resolved as {@link ExcusedError} (opossum
 * counts a success, the caller still gets the error).
 */
export class SlowCall {
  constructor(readonly value: unknown) {}
}

/**
 * A value the call's result filter (`isFailureResult`) counts as a failure: rejected through opossum so
 * it counts a failure, while the caller still gets the value, as for {@link SlowCall}.
 */
export class FailedResult {
  constructor(readonly value: unknown) {}
}

/** See {@link SlowCall}. */
export class ExcusedError {
  constructor(readonly error: unknown) {}
}

/**
 * The settlement of a half-open trial that outlived `halfOpenTrialTimeoutSeconds`: the circuit already
 * counted it as a failure, so it carries the outcome to the caller without being counted again.
 */
export class ExpiredTrial {
  constructor(
    readonly outcome: unknown,
    readonly failed: boolean,
  ) {}
}
