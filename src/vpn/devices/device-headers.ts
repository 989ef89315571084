import { DEVICE_FIELD_MAX } from './subscription-device.entity';

/** What a client says about itself when it fetches the feed (Happ, v2RayTun, Hiddify and others send these). */
export interface DeviceInfo {
  hwid: string;
  deviceOs: string | null;
  osVersion: string | null;
  deviceModel: string | null;
  userAgent: string | null;
}

/** A device header that is too long or carries control characters: answered 400, nothing is registered. */
export class BadDeviceHeaderError extends Error {}

const HWID_RE = /^[\x21-\x7e]+$/;
// Printable text of any script; control characters (and so header-splitting tricks) are refused.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
}

function text(headers: Headers, name: string, max: number): string | null {
  const v = one(headers, name);
  if (!v) return null;
  if (v.length > max || CONTROL_RE.test(v))
    throw new BadDeviceHeaderError(`${name} must be at most ${max} printable characters`);
  return v;
}

/** The device of a feed request, undefined without x-hwid (such clients are not counted: see docs/feed.md). */
export function deviceFromHeaders(headers: Headers): DeviceInfo | undefined {
  const hwid = one(headers, 'x-hwid');
  if (hwid === undefined || hwid === '') return undefined;
  if (hwid.length > DEVICE_FIELD_MAX.hwid || !HWID_RE.test(hwid))
    throw new BadDeviceHeaderError(
      `x-hwid must be 1 to ${DEVICE_FIELD_MAX.hwid} visible ASCII characters without spaces`,
    );
  const ua = one(headers, 'user-agent');
  return {
    hwid,
    deviceOs: text(headers, 'x-device-os', DEVICE_FIELD_MAX.text),
    osVersion: text(headers, 'x-ver-os', DEVICE_FIELD_MAX.text),
    deviceModel: text(headers, 'x-device-model', DEVICE_FIELD_MAX.text),
    // The user agent is informative only: cut, not refused.
    userAgent: ua ? ua.slice(0, DEVICE_FIELD_MAX.userAgent) : null,
  };
}
