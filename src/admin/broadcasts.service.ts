import { Injectable, Logger } from '@nestjs/common';
import { JobRunnerService } from '../jobs/job-runner.service';
import { JOB_NAMES } from '../jobs/job-schedules';
import type { BroadcastAudience } from './broadcast.entity';
import { BroadcastsRepository, type Broadcast } from './broadcasts.repository';

export const BROADCAST_JOB = JOB_NAMES.broadcastDelivery;

@Injectable()
export class BroadcastsService {
  private readonly logger = new Logger('BroadcastsService');

  constructor(
    private readonly repo: BroadcastsRepository,
    private readonly jobs: JobRunnerService,
  ) {}

  async start(b: {
    audience: BroadcastAudience;
    text: string;
    adminId: number;
    chatId: number;
    requestKey: string;
  }): Promise<{ broadcast: Broadcast; created: boolean }> {
    const result = await this.repo.create({
      audience: b.audience,
      text: b.text,
      createdBy: b.adminId,
      progressChatId: b.chatId,
      requestKey: b.requestKey,
    });
    if (result.created)
      this.logger.log(
        `admin ${b.adminId} started broadcast ${result.broadcast.id} to ${b.audience} (${b.text.length} chars)`,
      );
    return result;
  }

  async attachProgressMessage(id: string, messageId: number): Promise<void> {
    await this.repo.setProgressMessage(id, messageId);
    this.kick();
  }

  async stop(id: string, by: number): Promise<{ broadcast: Broadcast; stopped: boolean } | null> {
    const result = await this.repo.stop(id);
    if (result?.stopped) this.logger.log(`admin ${by} stopped broadcast ${id}`);
    return result;
  }

  listRecent(limit = 10): Promise<Broadcast[]> {
    return this.repo.listRecent(limit);
  }

  /** Runs the delivery job now on this instance, if jobs run here (otherwise the leader's next tick does). */
  private kick(): void {
    const job = this.jobs.status().find((j) => j.name === BROADCAST_JOB);
    if (!job?.enabled) return;
    this.jobs.runNow(BROADCAST_JOB).catch((err: unknown) => {
      this.logger.warn(`could not start broadcast delivery now: ${(err as Error).message}`);
    });
  }
}
