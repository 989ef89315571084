import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VpnSubscriptionsRepository } from '../vpn-subscriptions.repository';
import { DevicesRepository, type Device } from './devices.repository';

/** Short stable id of a device for a Telegram button (64-byte callback data; an x-hwid may be 128). */
export function deviceKey(hwid: string): string {
  return createHash('sha256').update(hwid).digest('base64url').slice(0, 12);
}

export interface UserDevices {
  devices: (Device & { key: string })[];
  limit: number | null;
}

@Injectable()
export class DevicesService {
  constructor(
    private readonly subscriptions: VpnSubscriptionsRepository,
    private readonly repository: DevicesRepository,
  ) {}

  async listForUser(userId: number): Promise<UserDevices | undefined> {
    const sub = await this.subscriptions.byUser(userId);
    if (!sub) return undefined;
    const devices = await this.repository.list(sub.id);
    return { devices: devices.map((d) => ({ ...d, key: deviceKey(d.hwid) })), limit: sub.deviceLimit };
  }

  /** Removes the device behind a button key; false when it is already gone (a stale or repeated tap). */
  async removeForUser(userId: number, key: string): Promise<boolean> {
    const sub = await this.subscriptions.byUser(userId);
    if (!sub) return false;
    const device = (await this.repository.list(sub.id)).find((d) => deviceKey(d.hwid) === key);
    return device ? this.repository.remove(sub.id, device.hwid) : false;
  }
}
