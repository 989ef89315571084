export type VpnErrorCode = 'unavailable' | 'misconfigured' | 'invalid_user' | 'unknown';

/** Base of every error a VpnProvider throws; `code` is stable and safe to store in vpn_operations.last_error. */
export abstract class VpnError extends Error {
  abstract readonly code: VpnErrorCode;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The core did not answer in time or refused the connection: retry later (counts for the circuit breaker). */
export class VpnUnavailableError extends VpnError {
  readonly code = 'unavailable';
  readonly retryable = true;
}

/** Wrong inbound tag, namespace, address of a non-API port, bad agent token…: an operator must fix config. */
export class VpnMisconfiguredError extends VpnError {
  readonly code = 'misconfigured';
  readonly retryable = false;
}

export class VpnInvalidUserError extends VpnError {
  readonly code = 'invalid_user';
  readonly retryable = false;
}

/** An answer no rule recognises; retried, and surfaced after too many attempts. */
export class VpnUnknownError extends VpnError {
  readonly code = 'unknown';
  readonly retryable = true;
}
