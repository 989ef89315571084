import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import type { JobContext } from '../jobs/job.types';
import { reminderRules, reminderWindow } from './reminder-rules';
import { RemindersRepository } from './reminders.repository';

const BATCH_SIZE = 500;

@Injectable()
export class RemindersService {
  constructor(
    private readonly clock: Clock,
    private readonly reminders: RemindersRepository,
  ) {}

  async run(ctx: JobContext): Promise<number> {
    const now = this.clock.now();
    let created = 0;
    for (const rule of reminderRules) {
      const { from, to } = reminderWindow(rule, now);
      let afterId = '0';
      while (!ctx.signal.aborted) {
        const batch = await this.reminders.createBatch({ rule, now, from, to, afterId, limit: BATCH_SIZE });
        created += batch.created;
        ctx.progress({ processed: batch.created });
        if (batch.scanned < BATCH_SIZE || batch.lastId === null) break;
        afterId = batch.lastId;
      }
    }
    return created;
  }
}
