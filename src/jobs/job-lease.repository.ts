import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';

/** A row, not a session advisory lock: no connection stays open for it (docs/architecture.md, rule 4). */
@Injectable()
export class JobLeaseRepository {
  constructor(private readonly db: DbService) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query<{ holder: string }>(
      'lease.acquire',
      `INSERT INTO job_leases (name, holder, expires_at, acquired_at, heartbeat_at)
       VALUES ($1, $2, now() + make_interval(secs => $3::float8 / 1000), now(), now())
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, heartbeat_at = now(),
             acquired_at = CASE WHEN job_leases.holder = EXCLUDED.holder THEN job_leases.acquired_at ELSE now() END
         WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < now()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return rows.length === 1;
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const rows = await this.db.query(
      'lease.renew',
      `UPDATE job_leases SET expires_at = now() + make_interval(secs => $3::float8 / 1000), heartbeat_at = now()
       WHERE name = $1 AND holder = $2 RETURNING name`,
      [name, holder, ttlMs],
    );
    return rows.length === 1;
  }

  async release(names: string[], holder: string): Promise<void> {
    if (names.length === 0) return;
    await this.db.query(
      'lease.release',
      `UPDATE job_leases SET expires_at = now() WHERE name = ANY($1::text[]) AND holder = $2`,
      [names, holder],
    );
  }
}
