import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { VpnNodeConfig } from '../config/vpn-nodes.schema';
import { HttpAgentProvider } from './http-agent.provider';
import { VpnCircuit } from './vpn-circuit';
import { VpnProvider } from './vpn-provider';
import { XrayGrpcProvider } from './xray-grpc.provider';

export interface VpnNodeLane {
  node: VpnNodeConfig;
  provider: VpnProvider;
  circuit: VpnCircuit;
}

export function createNodeProvider(config: AppConfig, node: VpnNodeConfig): VpnProvider {
  const { timeoutMs, sentinelEmail } = config.vpn;
  if (node.provider === 'http-agent')
    return new HttpAgentProvider({ url: node.agentUrl!, token: node.agentToken!, timeoutMs, sentinelEmail });
  return new XrayGrpcProvider({
    address: node.apiAddress,
    inboundTag: node.inboundTag,
    namespace: node.namespace,
    timeoutMs,
    sentinelEmail,
    flow: node.flow,
  });
}

/** The first node uses the module's provider and circuit, the others their own: an outage stays local. */
@Injectable()
export class VpnFleetService implements OnApplicationShutdown {
  readonly lanes: readonly VpnNodeLane[];

  constructor(config: AppConfig, provider: VpnProvider, circuit: VpnCircuit) {
    this.lanes = config.vpn.nodes.map((node, i) => {
      if (i === 0) {
        circuit.node = node.code;
        return { node, provider, circuit };
      }
      const own = new VpnCircuit(config);
      own.node = node.code;
      return { node, provider: createNodeProvider(config, node), circuit: own };
    });
  }

  lane(code: string): VpnNodeLane | undefined {
    return this.lanes.find((l) => l.node.code === code);
  }

  async onApplicationShutdown(): Promise<void> {
    // The first node's provider is closed by VpnModule, which owns it.
    await Promise.all(this.lanes.slice(1).map((l) => l.provider.close()));
  }
}
