/** Codes any package may raise. */
export const COMMON_ERROR_CODES = ['INVALID_ARGUMENT', 'INVALID_CONFIG', 'CLOSED', 'ABORTED', 'TIMEOUT', 'INTERNAL'] as const;
/** A code of {@link COMMON_ERROR_CODES}. */
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];
