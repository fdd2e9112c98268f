/** How a call ended, as counted in `byOutcome`. */
export type HttpCallOutcome =
  | 'success'
  | 'http_error'
  | 'network_error'
  | 'timeout'
  | 'circuit_open'
  | 'aborted'
  | 'invalid_request'
  | 'error';
