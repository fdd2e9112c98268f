/**
 * The signal handed to operations that run without a timeout. Sharing one avoids an
 * AbortController per call on the hot path; it never aborts, so listeners added to it never fire.
 */
export const NEVER_ABORTED_SIGNAL: AbortSignal = new AbortController().signal;
