import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import type { Plan } from './plan';

interface PlanRow {
  code: string;
  duration_days: number;
  prices: Record<string, number>;
  stars_price: number | null;
  enabled: boolean;
  sort_order: number;
  device_limit: number | null;
  traffic_limit_bytes: string | null;
  traffic_reset: 'period' | 'monthly';
}

@Injectable()
export class PlansRepository {
  constructor(private readonly db: DbService) {}

  async sync(plans: Plan[]): Promise<void> {
    await this.db.transaction('plans.sync', async (em) => {
      await em.query(
        `INSERT INTO plans (code, duration_days, prices, stars_price, enabled, sort_order, device_limit,
                            traffic_limit_bytes, traffic_reset)
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x(code text, duration_days int, prices jsonb, stars_price int, enabled boolean, sort_order int,
                device_limit int, traffic_limit_bytes bigint, traffic_reset text)
         ON CONFLICT (code) DO UPDATE SET duration_days = EXCLUDED.duration_days, prices = EXCLUDED.prices,
           stars_price = EXCLUDED.stars_price, enabled = EXCLUDED.enabled, sort_order = EXCLUDED.sort_order,
           device_limit = EXCLUDED.device_limit, traffic_limit_bytes = EXCLUDED.traffic_limit_bytes,
           traffic_reset = EXCLUDED.traffic_reset`,
        [
          JSON.stringify(
            plans.map((p) => ({
              code: p.code,
              duration_days: p.durationDays,
              prices: p.prices,
              stars_price: p.starsPrice,
              enabled: p.enabled,
              sort_order: p.sortOrder,
              device_limit: p.deviceLimit,
              traffic_limit_bytes: p.trafficLimitBytes,
              traffic_reset: p.trafficReset,
            })),
          ),
        ],
      );
      await em.query(`UPDATE plans SET enabled = false WHERE enabled AND NOT (code = ANY($1::text[]))`, [
        plans.map((p) => p.code),
      ]);
    });
  }

  async findAll(): Promise<Plan[]> {
    const rows = await this.db.query<PlanRow>(
      'plans.find-all',
      `SELECT * FROM plans ORDER BY sort_order, code`,
    );
    return rows.map((r) => ({
      code: r.code,
      durationDays: r.duration_days,
      prices: r.prices,
      starsPrice: r.stars_price,
      enabled: r.enabled,
      sortOrder: r.sort_order,
      deviceLimit: r.device_limit,
      trafficLimitBytes: r.traffic_limit_bytes === null ? null : Number(r.traffic_limit_bytes),
      trafficReset: r.traffic_reset,
    }));
  }
}
