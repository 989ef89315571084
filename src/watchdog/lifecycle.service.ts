import { Global, Injectable, Module } from '@nestjs/common';

/** Process lifecycle flags shared by main.ts (shutdown) and the readiness probe. */
@Injectable()
export class Lifecycle {
  private shuttingDownSince?: number;

  beginShutdown(): void {
    this.shuttingDownSince ??= Date.now();
  }

  get shuttingDown(): boolean {
    return this.shuttingDownSince !== undefined;
  }
}

@Global()
@Module({ providers: [Lifecycle], exports: [Lifecycle] })
export class LifecycleModule {}
