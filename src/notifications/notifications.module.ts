import { Module } from '@nestjs/common';
import { NotificationsRepository } from './notifications.repository';

/** The notifications outbox (a leaf: every module that tells users something writes through it). */
@Module({
  providers: [NotificationsRepository],
  exports: [NotificationsRepository],
})
export class NotificationsModule {}
