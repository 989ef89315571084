import { FakeCryptoPay } from '../../src/demo/fake-crypto-pay';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { CryptoPayModule } from '../../src/payments/providers/crypto-pay/crypto-pay.module';
import { CryptoPayService } from '../../src/payments/providers/crypto-pay/crypto-pay.service';
import { startCoreApp, type CoreApp } from './factories';

export interface CryptoPayApp {
  fake: FakeCryptoPay;
  core: CoreApp;
  cryptoPay: CryptoPayService;
  runner: JobRunnerService;
  close(): Promise<void>;
}

/** The Crypto Pay module on a fresh database, talking to a fake Crypto Pay over a socket with short deadlines. */
export async function startCryptoPayApp(env: Record<string, string> = {}): Promise<CryptoPayApp> {
  const fake = await new FakeCryptoPay().start();
  const core = await startCoreApp({
    imports: [CryptoPayModule],
    env: {
      CRYPTO_PAY_TOKEN: fake.token,
      CRYPTO_PAY_API_ROOT: fake.apiRoot,
      CRYPTO_PAY_TIMEOUT_MS: '300',
      CRYPTO_PAY_WATCH_INTERVAL_MS: '1000',
      ...env,
    },
  });
  return {
    fake,
    core,
    cryptoPay: core.get(CryptoPayService),
    runner: core.get(JobRunnerService),
    close: async () => {
      await core.close();
      await fake.stop();
    },
  };
}
