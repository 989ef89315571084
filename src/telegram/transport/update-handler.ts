/** `signal` aborts at the update's deadline or at shutdown: pass it to every outside call. */
export abstract class UpdateHandler {
  abstract handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void>;

  /** Called when an update's retries are spent: a chance to tell the user instead of silence. Best effort. */
  giveUp(_update: Record<string, unknown>, _chatId: number | null, _error: Error): Promise<void> {
    return Promise.resolve();
  }
}

/** An error worth retrying (outside system unavailable); anything else fails the update at once. */
export class TransientUpdateError extends Error {
  override name = 'TransientUpdateError';
}
