export abstract class UpdateHandler {
  abstract handle(update: Record<string, unknown>, signal: AbortSignal): Promise<void>;

  giveUp(_update: Record<string, unknown>, _chatId: number | null, _error: Error): Promise<void> {
    return Promise.resolve();
  }
}

export class TransientUpdateError extends Error {
  override name = 'TransientUpdateError';
}
