import { Global, Module } from '@nestjs/common';
import { JobLeaseRepository } from './job-lease.repository';
import { JobRunnerService } from './job-runner.service';
import { JobWakeupsService } from './job-wakeups.service';

/** Needs ScheduleModule.forRoot() once. */
@Global()
@Module({
  providers: [JobRunnerService, JobLeaseRepository, JobWakeupsService],
  exports: [JobRunnerService, JobLeaseRepository, JobWakeupsService],
})
export class JobsModule {}
