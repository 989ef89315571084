import * as protoLoader from '@grpc/proto-loader';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

export const xrayNamespaces = ['xray', 'v2ray.core'] as const;
export type XrayNamespace = (typeof xrayNamespaces)[number];

const PROTO_DIR = join(__dirname, 'proto');
const PROTO_FILES = [
  'typed_message.proto',
  'user.proto',
  'vless_account.proto',
  'handler_command.proto',
  'stats_command.proto',
];

export interface XrayProto {
  namespace: XrayNamespace;
  root: protobuf.Root;
  handler: ServiceDefinition;
  stats: ServiceDefinition;
  typeName(local: string): string;
  typed(local: string, value: Record<string, unknown>): { type: string; value: Buffer };
}

const cache = new Map<XrayNamespace, XrayProto>();

/** Both cores share one wire format but for the package prefix, so one setting rewrites it. */
export function loadXrayProto(namespace: XrayNamespace): XrayProto {
  const hit = cache.get(namespace);
  if (hit) return hit;
  const root = new protobuf.Root();
  for (const file of PROTO_FILES) {
    const text = readFileSync(join(PROTO_DIR, file), 'utf8').replace(/\bxray\./g, `${namespace}.`);
    protobuf.parse(text, root, { keepCase: true });
  }
  root.resolveAll();
  const defs = protoLoader.fromJSON(root.toJSON(), {
    keepCase: true,
    longs: Number,
    defaults: true,
    enums: String,
  });
  const typeName = (local: string) => `${namespace}.${local}`;
  const proto: XrayProto = {
    namespace,
    root,
    handler: defs[typeName('app.proxyman.command.HandlerService')] as ServiceDefinition,
    stats: defs[typeName('app.stats.command.StatsService')] as ServiceDefinition,
    typeName,
    typed(local, value) {
      const type = root.lookupType(typeName(local));
      return { type: typeName(local), value: Buffer.from(type.encode(type.fromObject(value)).finish()) };
    },
  };
  cache.set(namespace, proto);
  return proto;
}

export function method(service: ServiceDefinition, name: string): MethodDefinition<unknown, unknown> {
  const m = service[name];
  if (!m) throw new Error(`proto has no method ${name}`);
  return m as MethodDefinition<unknown, unknown>;
}
