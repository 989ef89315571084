import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module';
import { UserNotificationsRepository } from './user-notifications.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [ClockModule],
  providers: [UsersService, UsersRepository, UserNotificationsRepository],
  exports: [UsersService, UsersRepository, UserNotificationsRepository],
})
export class UsersModule {}
