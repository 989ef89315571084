import { DEMO_BOT_TOKEN, type DemoServiceAddresses } from '../config/app-config';
import { FakeCryptoPay } from './fake-crypto-pay';
import { FakeTelegram } from './fake-telegram';
import { FakeXrayCore } from './fake-xray-core';

export interface DemoUser {
  id: number;
  firstName: string;
  username: string;
  admin: boolean;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 1001, firstName: 'Alice', username: 'alice_admin', admin: true },
  { id: 1002, firstName: 'Boris', username: 'boris', admin: false },
  { id: 1003, firstName: 'Chen', username: 'chen', admin: false },
  { id: 1004, firstName: 'Dana', username: 'dana', admin: false },
];

/** Enough for a chat window while memory stays flat however long the demo runs. */
export const DEMO_KEPT_CALLS = 2_000;

/** Started before Nest so their addresses can go into the configuration; all on 127.0.0.1. */
export class DemoServices {
  private constructor(
    readonly telegram: FakeTelegram,
    readonly cryptoPay: FakeCryptoPay,
    readonly core: FakeXrayCore,
  ) {}

  static async start(): Promise<DemoServices> {
    // The bot's inbox ignores update ids it has stored: a restarted demo (same DATA_DIR) must not reuse them.
    const telegram = await new FakeTelegram({
      token: DEMO_BOT_TOKEN,
      firstUpdateId: Date.now(),
      keepCalls: DEMO_KEPT_CALLS,
    }).start();
    const cryptoPay = await new FakeCryptoPay({ keepRequests: DEMO_KEPT_CALLS }).start();
    const core = await new FakeXrayCore('xray', 'vless-in').start();
    return new DemoServices(telegram, cryptoPay, core);
  }

  get addresses(): DemoServiceAddresses {
    return {
      telegramApiRoot: this.telegram.apiRoot,
      cryptoPayToken: this.cryptoPay.token,
      cryptoPayApiRoot: this.cryptoPay.apiRoot,
      xrayApiAddress: this.core.apiAddress,
      xrayInboundTag: this.core.inboundTag,
      vlessPort: this.core.vlessPort,
      adminId: DEMO_USERS[0].id,
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.telegram.stop(), this.cryptoPay.stop(), this.core.stop()]);
  }
}
