import { Injectable } from '@nestjs/common';

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
