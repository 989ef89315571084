import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { classifyCoreError } from './core-error-classifier';

const v2fly = 'v2ray.com/core';
const cases: [string, number, string, ReturnType<typeof classifyCoreError>][] = [
  ['v2fly duplicate add', 2, `${v2fly}/proxy/vless: User u1@vpn.local already exists.`, 'already_present'],
  ['Xray duplicate add', 2, `proxy/vless: User u1@vpn.local already exists.`, 'already_present'],
  [
    'v2fly remove of an unknown user',
    2,
    `${v2fly}/proxy/vless: User u1@vpn.local not found.`,
    'already_absent',
  ],
  ['Xray remove of an unknown user', 2, `proxy/vless: User u1@vpn.local not found.`, 'already_absent'],
  [
    'unknown inbound tag (contains "not found" too)',
    2,
    `${v2fly}/app/proxyman/command: failed to get handler: x > ${v2fly}/app/proxyman/inbound: handler not found: x`,
    'misconfigured',
  ],
  [
    'malformed UUID',
    2,
    `${v2fly}/app/proxyman/command: failed to parse user > ${v2fly}/proxy/vless: failed to parse ID > invalid UUID: zz`,
    'invalid_user',
  ],
  ['empty e-mail on remove', 2, `${v2fly}/proxy/vless: Email must not be empty.`, 'invalid_user'],
  ['inbound without users', 2, `${v2fly}/app/proxyman/command: proxy is not a UserManager`, 'misconfigured'],
  [
    'Xray type strings sent to v2fly',
    2,
    `${v2fly}/app/proxyman/command: unknown operation > Serial: Unknown type: xray.app.proxyman.command.AddUserOperation`,
    'misconfigured',
  ],
  [
    'v2fly type strings sent to Xray',
    2,
    'app/proxyman/command: unknown operation > proto: not found',
    'misconfigured',
  ],
  [
    'Xray service path sent to v2fly',
    status.UNIMPLEMENTED,
    'unknown service xray.app.proxyman.command.HandlerService',
    'misconfigured',
  ],
  ['core down', status.UNAVAILABLE, 'No connection established', 'unavailable'],
  ['core hangs', status.DEADLINE_EXCEEDED, 'Deadline exceeded', 'unavailable'],
  ['a "not found" that is no user answer', 2, 'something not found: here', 'unknown'],
  ['an unrecognised answer', 2, 'boom', 'unknown'],
];

describe('classifyCoreError', () => {
  it.each(cases)('%s', (_name, code, details, expected) => {
    expect(classifyCoreError(code, details)).toBe(expected);
  });
});
