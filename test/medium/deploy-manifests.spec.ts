import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const loadAll = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

const root = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

interface K8sObject {
  kind: string;
  spec: Record<string, unknown> & {
    template?: { spec: PodSpec };
  };
}
interface Container {
  image: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: unknown[];
  securityContext: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext: { seccompProfile?: { type: string }; runAsNonRoot?: boolean };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}

describe('Kubernetes example manifest', () => {
  const docs = loadAll(read('deploy/k8s/deployment.yaml')) as K8sObject[];
  const pod = docs.find((d) => d.kind === 'Deployment')!.spec.template!.spec;
  const bot = pod.containers[0];
  const env = (name: string) => bot.env?.find((e) => e.name === name);

  it('runs without a service-account token, capabilities or a writable root filesystem', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(bot.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('gives the writable paths (/tmp, /app/.data) an emptyDir', () => {
    for (const path of ['/tmp', '/app/.data']) {
      const mount = bot.volumeMounts?.find((m) => m.mountPath === path);
      expect(mount, path).toBeDefined();
      expect(pod.volumes?.find((v) => v.name === mount!.name)?.emptyDir, path).toBeDefined();
    }
  });

  it('pins every image to a version, never latest', () => {
    for (const c of pod.containers) expect(c.image).toMatch(/^[^:]+:(?!latest$)[\w.-]+$|@sha256:/);
  });

  it('takes DATABASE_URL by secretKeyRef, not envFrom, and sets WEBHOOK_URL for webhook mode', () => {
    expect(bot.envFrom).toBeUndefined();
    expect(env('DATABASE_URL')?.valueFrom?.secretKeyRef).toMatchObject({ key: 'DATABASE_URL' });
    expect(env('TELEGRAM_MODE')?.value).toBe('webhook');
    expect(env('WEBHOOK_URL')?.value).toMatch(/^https:\/\/.+\/telegram\/webhook$/);
    expect(env('WEBHOOK_SECRET')?.valueFrom?.secretKeyRef).toBeDefined();
  });

  it('ships an example NetworkPolicy for the pods and a TLS Ingress', () => {
    const policy = docs.find((d) => d.kind === 'NetworkPolicy');
    expect(policy?.spec.podSelector).toEqual({ matchLabels: { app: 'vpn-bot' } });
    expect(policy?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(docs.find((d) => d.kind === 'Ingress')?.spec.tls).toBeDefined();
  });
});

describe('docker compose example', () => {
  const compose = (loadAll(read('docker-compose.yml')) as Record<string, unknown>[])[0] as {
    services: Record<string, { image?: string; ports?: string[]; environment?: Record<string, string> }>;
  };

  it('refuses to start without POSTGRES_PASSWORD and has no default password', () => {
    const text = read('docker-compose.yml');
    expect(compose.services.postgres.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(text).not.toMatch(/POSTGRES_PASSWORD:-/);
  });

  it('pins images to versions and publishes the bot on loopback unless told otherwise', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.image) expect(s.image, name).toMatch(/:(?!latest\b)\d[\w.-]*$/);
    }
    expect(compose.services.bot.ports).toEqual(['${BOT_PUBLISH_ADDRESS:-127.0.0.1}:3000:3000']);
  });

  it('makes every deployment bring its own REALITY short id', () => {
    expect(compose.services.bot.environment?.VPN_REALITY_SHORT_ID).toMatch(/^\$\{VPN_REALITY_SHORT_ID:\?/);
    expect(read('deploy/xray/config.json')).not.toMatch(/"shortIds": \["[0-9a-f]+"\]/);
  });
});
