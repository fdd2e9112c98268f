import { setMaxListeners } from 'node:events';

/**
 * The signal handed to operations that run without a timeout. Sharing one avoids an
 * AbortController per call on the hot path; it never aborts, so listeners added to it never fire.
 */
export const NEVER_ABORTED_SIGNAL: AbortSignal = new AbortController().signal;

// Every concurrent operation may listen on this one signal (undici adds an abort listener per
// request and removes it when the request ends), so Node's "more than 10 listeners" leak warning
// would be a false alarm here.
setMaxListeners(0, NEVER_ABORTED_SIGNAL);
