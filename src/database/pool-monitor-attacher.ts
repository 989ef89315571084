import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { PoolMonitor } from './pool-monitor';

@Injectable()
export class PoolMonitorAttacher implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly monitor: PoolMonitor,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    this.monitor.attach(pool, { holdWarnMs: this.config.database.holdWarnMs });
  }
}
