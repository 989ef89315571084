import { Injectable } from '@nestjs/common';

/** Process lifecycle flags shared by main.ts (shutdown) and the readiness probe. */
@Injectable()
export class LifecycleService {
  private shuttingDownSince?: number;

  beginShutdown(): void {
    this.shuttingDownSince ??= Date.now();
  }

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }
}
