import { VpnInvalidUserError } from './vpn.errors';

export interface VpnUser {
  /** Unique key of the user on the core; lower-cased, unique case-insensitively. */
  email: string;
  uuid: string;
}

export type AddUserResult = 'created' | 'already_present';
export type RemoveUserResult = 'removed' | 'already_absent';

export interface VpnCallOptions {
  /** Aborts the call (job deadline, shutdown); every call also has its own deadline. */
  signal?: AbortSignal;
}

export interface VpnTraffic {
  email: string;
  uplinkBytes: number;
  downlinkBytes: number;
}

/** The core's cumulative per-user counters (never reset by reading them) and when that core process started. */
export interface VpnTrafficSnapshot {
  users: VpnTraffic[];
  /** From the core's uptime; counters of a core started later than the last read began again at zero. */
  coreStartedAt?: Date;
}

export interface VpnHealth {
  /** True when the core lost its API-added users (a restart): everything active must be provisioned again. */
  stateLost: boolean;
}

/** Calls have deadlines and throw only VpnError subclasses; vpn-provider-contract.spec.ts is the contract. */
export abstract class VpnProvider {
  abstract readonly kind: string;

  abstract addUser(user: VpnUser, opts?: VpnCallOptions): Promise<AddUserResult>;

  abstract removeUser(email: string, opts?: VpnCallOptions): Promise<RemoveUserResult>;

  abstract listUsers(opts?: VpnCallOptions): Promise<VpnUser[] | undefined>;

  /** Not a member list (counters appear on first traffic); reading never resets them. */
  abstract traffic(opts?: VpnCallOptions): Promise<VpnTrafficSnapshot | undefined>;

  abstract health(opts?: VpnCallOptions): Promise<VpnHealth>;

  async close(): Promise<void> {}
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// No whitespace, no '>' (stats counter names use ">>>" as separator), bounded length.
const EMAIL_RE = /^[a-z0-9][a-z0-9._+@-]{0,127}$/;

/** Lower-cases and checks an e-mail before it reaches the core (an empty one could never be removed). */
export function normalizeEmail(email: string): string {
  const e = (email ?? '').trim().toLowerCase();
  if (!EMAIL_RE.test(e)) throw new VpnInvalidUserError(`invalid VPN user email ${JSON.stringify(email)}`);
  return e;
}

export function normalizeUuid(uuid: string): string {
  const u = (uuid ?? '').trim().toLowerCase();
  if (!UUID_RE.test(u)) throw new VpnInvalidUserError(`invalid VPN user UUID ${JSON.stringify(uuid)}`);
  return u;
}

export function normalizeUser(user: VpnUser): VpnUser {
  return { email: normalizeEmail(user.email), uuid: normalizeUuid(user.uuid) };
}
