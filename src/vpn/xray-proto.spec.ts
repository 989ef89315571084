import { describe, expect, it } from 'vitest';
import { loadXrayProto, xrayNamespaces } from './xray-proto';

// Field numbers and full names must match the cores' .proto files: a drift here breaks the wire format.
describe.each(xrayNamespaces)('xray protos in the %s namespace', (ns) => {
  const proto = loadXrayProto(ns);
  const fields = (name: string) =>
    Object.fromEntries(
      Object.values(proto.root.lookupType(`${ns}.${name}`).fields).map((f) => [f.name, f.id]),
    );

  it('keep the messages and field numbers of both cores', () => {
    expect(fields('common.serial.TypedMessage')).toEqual({ type: 1, value: 2 });
    expect(fields('common.protocol.User')).toEqual({ level: 1, email: 2, account: 3 });
    expect(fields('proxy.vless.Account')).toEqual({ id: 1, flow: 2, encryption: 3 });
    expect(fields('app.proxyman.command.AddUserOperation')).toEqual({ user: 1 });
    expect(fields('app.proxyman.command.RemoveUserOperation')).toEqual({ email: 1 });
    expect(fields('app.proxyman.command.AlterInboundRequest')).toEqual({ tag: 1, operation: 2 });
    expect(fields('app.proxyman.command.GetInboundUserResponse')).toEqual({ users: 1 });
    expect(fields('app.stats.command.QueryStatsRequest')).toEqual({ pattern: 1, reset: 2 });
  });

  it('put the namespace in the service paths and in the TypedMessage type strings', () => {
    expect(proto.handler.AlterInbound.path).toBe(`/${ns}.app.proxyman.command.HandlerService/AlterInbound`);
    expect(proto.stats.QueryStats.path).toBe(`/${ns}.app.stats.command.StatsService/QueryStats`);
    expect(proto.typed('proxy.vless.Account', { id: 'x' }).type).toBe(`${ns}.proxy.vless.Account`);
  });
});
