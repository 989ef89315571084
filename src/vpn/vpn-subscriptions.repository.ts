import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service';
import { overTrafficLimitSql } from '../traffic/traffic-sql';

export interface DesiredUser {
  id: string;
  vpnUuid: string;
  vpnEmail: string;
  active: boolean;
  /** An outbox operation is pending for it: the outbox, not reconciliation, moves it next. */
  busy: boolean;
}

export interface KeySubscription {
  id: string;
  userId: string;
  vpnUuid: string;
  active: boolean;
  subToken: string;
  expiresAt: Date;
  isTrial: boolean;
  planCode: string | null;
  status: string;
  banned: boolean;
  deviceLimit: number | null;
}

export interface NodePlacement {
  code: string;
  open: boolean;
  trialAllowed: boolean;
  deniedPlans: string[];
  /** Only placed subscriptions count, so reconciliation never re-adds ones the writer left off. */
  placedOnly?: boolean;
}

@Injectable()
export class VpnSubscriptionsRepository {
  constructor(private readonly db: DbService) {}

  page(afterId: string, limit: number, node: NodePlacement): Promise<DesiredUser[]> {
    return this.db.query<DesiredUser>(
      'vpn.reconcile.page',
      `SELECT s.id, s.vpn_uuid AS "vpnUuid", s.vpn_email AS "vpnEmail",
              s.status = 'active' AND NOT u.is_banned AND $4::boolean AND NOT ${overTrafficLimitSql('s.id')}
                AND CASE WHEN s.is_trial THEN $5::boolean
                         ELSE s.plan_code IS NULL OR NOT (s.plan_code = ANY($6::text[])) END
                AND (NOT $7::boolean OR EXISTS (SELECT 1 FROM vpn_operations p
                       WHERE p.subscription_id = s.id AND p.node_code = $3 AND p.kind = 'provision'
                         AND p.state <> 'superseded' AND p.vpn_uuid = s.vpn_uuid)) AS active,
              EXISTS (SELECT 1 FROM vpn_operations o
                       WHERE o.subscription_id = s.id AND o.node_code = $3
                         AND o.state IN ('pending', 'in_progress')) AS busy
         FROM subscriptions s JOIN users u ON u.id = s.user_id
        WHERE s.id > $1 ORDER BY s.id LIMIT $2`,
      [afterId, limit, node.code, node.open, node.trialAllowed, node.deniedPlans, node.placedOnly ?? false],
    );
  }

  async existingEmails(emails: string[]): Promise<Set<string>> {
    if (!emails.length) return new Set();
    const rows = await this.db.query<{ email: string }>(
      'vpn.reconcile.emails',
      `SELECT vpn_email AS email FROM subscriptions WHERE vpn_email = ANY($1::text[])`,
      [emails],
    );
    return new Set(rows.map((r) => r.email));
  }

  async byToken(token: string): Promise<KeySubscription | undefined> {
    const rows = await this.db.query<KeySubscription>(
      'vpn.sub.by-token',
      `SELECT s.id, s.user_id AS "userId", s.vpn_uuid AS "vpnUuid",
              s.status = 'active' AND NOT u.is_banned AS active, s.status, u.is_banned AS banned,
              s.sub_token AS "subToken", s.expires_at AS "expiresAt", s.is_trial AS "isTrial",
              s.plan_code AS "planCode", CASE WHEN s.is_trial THEN NULL ELSE p.device_limit END AS "deviceLimit"
         FROM subscriptions s JOIN users u ON u.id = s.user_id LEFT JOIN plans p ON p.code = s.plan_code
        WHERE s.sub_token = $1`,
      [token],
    );
    return rows[0];
  }

  async byUser(userId: number | string): Promise<KeySubscription | undefined> {
    const rows = await this.db.query<KeySubscription>(
      'vpn.sub.by-user',
      `SELECT s.id, s.user_id AS "userId", s.vpn_uuid AS "vpnUuid",
              s.status = 'active' AND NOT u.is_banned AS active, s.status, u.is_banned AS banned,
              s.sub_token AS "subToken", s.expires_at AS "expiresAt", s.is_trial AS "isTrial",
              s.plan_code AS "planCode", CASE WHEN s.is_trial THEN NULL ELSE p.device_limit END AS "deviceLimit"
         FROM subscriptions s JOIN users u ON u.id = s.user_id LEFT JOIN plans p ON p.code = s.plan_code
        WHERE s.user_id = $1`,
      [userId],
    );
    return rows[0];
  }
}
