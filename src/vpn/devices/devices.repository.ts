import { Injectable } from '@nestjs/common';
import { DbService, queryRows } from '../../database/db.service';
import type { DeviceInfo } from './device-headers';

export interface Device {
  hwid: string;
  deviceOs: string | null;
  osVersion: string | null;
  deviceModel: string | null;
  userAgent: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export type Registration =
  { allowed: true; active: number } | { allowed: false; active: number; limit: number };

const COLUMNS = `hwid, device_os AS "deviceOs", os_version AS "osVersion", device_model AS "deviceModel",
  user_agent AS "userAgent", first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;

@Injectable()
export class DevicesRepository {
  constructor(private readonly db: DbService) {}

  /** An advisory lock per subscription keeps concurrent first fetches under the limit. */
  register(subscriptionId: string, d: DeviceInfo, limit: number | null): Promise<Registration> {
    const values = [subscriptionId, d.hwid, d.deviceOs, d.osVersion, d.deviceModel, d.userAgent];
    return this.db.transaction('vpn.devices.register', async (em) => {
      const known = await queryRows(
        em,
        `UPDATE subscription_devices SET last_seen_at = now(), device_os = $3, os_version = $4,
                device_model = $5, user_agent = $6
          WHERE subscription_id = $1 AND hwid = $2 RETURNING hwid`,
        values,
      );
      const count = async () => {
        const sql = `SELECT count(*)::int AS n FROM subscription_devices WHERE subscription_id = $1`;
        return (await queryRows<{ n: number }>(em, sql, [subscriptionId]))[0].n;
      };
      if (known.length > 0) return { allowed: true, active: await count() };
      await em.query(`SELECT pg_advisory_xact_lock(hashtextextended('subscription_devices:' || $1, 0))`, [
        subscriptionId,
      ]);
      const active = await count();
      if (limit !== null && active >= limit) return { allowed: false, active, limit };
      // ON CONFLICT: the same device racing itself (two fetches of one new device) is one device.
      await em.query(
        `INSERT INTO subscription_devices (subscription_id, hwid, device_os, os_version, device_model, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subscription_id, hwid) DO NOTHING`,
        values,
      );
      return { allowed: true, active: await count() };
    });
  }

  list(subscriptionId: string): Promise<Device[]> {
    return this.db.query<Device>(
      'vpn.devices.list',
      `SELECT ${COLUMNS} FROM subscription_devices WHERE subscription_id = $1 ORDER BY first_seen_at, hwid`,
      [subscriptionId],
    );
  }

  async remove(subscriptionId: string, hwid: string): Promise<boolean> {
    const rows = await this.db.query<{ hwid: string }>(
      'vpn.devices.remove',
      `DELETE FROM subscription_devices WHERE subscription_id = $1 AND hwid = $2 RETURNING hwid`,
      [subscriptionId, hwid],
    );
    return rows.length > 0;
  }
}
