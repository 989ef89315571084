import { Global, Module } from '@nestjs/common';
import { JobLeaseRepository } from './job-lease.repository';
import { JobRunnerService } from './job-runner.service';

/** Needs ScheduleModule.forRoot() once. */
@Global()
@Module({
  providers: [JobRunnerService, JobLeaseRepository],
  exports: [JobRunnerService, JobLeaseRepository],
})
export class JobsModule {}
