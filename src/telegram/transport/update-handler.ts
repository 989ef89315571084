/**
 * What processes one update from the inbox. The Telegram module binds the telegraf bot here; tests bind their
 * own. `signal` aborts at the update's deadline or at shutdown: pass it to every outside call.
 */
export abstract class UpdateHandler {
  abstract handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void>;

  /**
   * The dispatcher stopped retrying an update that kept failing for outside reasons (its retries were spent):
   * a chance to tell the user instead of leaving them in silence. Best effort; the default does nothing.
   */
  giveUp(_update: Record<string, unknown>, _chatId: number | null, _error: Error): Promise<void> {
    return Promise.resolve();
  }
}

/** An error worth retrying (outside system unavailable); anything else fails the update at once. */
export class TransientUpdateError extends Error {
  override name = 'TransientUpdateError';
}
