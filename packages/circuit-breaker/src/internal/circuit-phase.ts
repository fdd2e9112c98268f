import type { LiteralCircuitState } from '@onex/spi-types';

/**
 * Where a circuit is in its state machine. Forced phases are sticky: only a reset leaves them.
 * `open` holds when it opened; the move to half-open is evaluated lazily from it.
 */
export type CircuitPhase =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly openedAt: number }
  | { readonly kind: 'half_open'; trialsInFlight: number }
  | { readonly kind: 'forced_open' }
  | { readonly kind: 'forced_closed' };

/** The SPI state a phase reports. */
export function publicState(phase: CircuitPhase): LiteralCircuitState {
  switch (phase.kind) {
    case 'closed':
    case 'forced_closed':
      return 'closed';
    case 'open':
    case 'forced_open':
      return 'open';
    case 'half_open':
      return 'half_open';
  }
}
