// Shared by the Cloud Scheduler emulator tests: an emulator on a fresh data directory with the
// official client pointed at it, and a local HTTP target that records what it receives.
import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudSchedulerClient } from '@google-cloud/scheduler';
import type { SchedulerEmulator, SchedulerEmulatorOptions } from '../../../emulators/scheduler/server.js';
import { startSchedulerEmulator } from '../../../emulators/scheduler/server.js';
import { cloudSchedulerClient } from '../../../google-clients/scheduler.js';

export const PROJECT = 'sched-project';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;

export interface TestScheduler {
  emulator: SchedulerEmulator;
  client: CloudSchedulerClient;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestScheduler(options: Partial<SchedulerEmulatorOptions> = {}): Promise<TestScheduler> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'scheduler-emulator-'));
  const emulator = await startSchedulerEmulator({ env: {}, ...options, dataDir });
  const client = cloudSchedulerClient({ projectId: PROJECT, env: { CLOUD_SCHEDULER_EMULATOR_HOST: `${emulator.host}:${emulator.port}` } });
  return {
    emulator,
    client,
    dataDir,
    close: async () => {
      await client.close();
      await emulator.close();
    },
  };
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when the request arrived. */
  at: number;
}

/** A local HTTP target; `answer` decides the status (and a delay) per request. */
export class TargetServer {
  readonly received: Received[] = [];
  answer: (req: Received, nth: number) => { status: number; delayMs?: number } = () => ({ status: 200 });
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: performance.now() };
        this.received.push(received);
        const nth = this.received.filter((r) => r.path === received.path).length;
        const { status, delayMs } = this.answer(received, nth);
        const timer = setTimeout(() => res.writeHead(status).end(), delayMs ?? 0);
        res.on('close', () => clearTimeout(timer));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits until `count` requests reached `path`. */
  async waitFor(path: string, count: number, timeoutMs = 5_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.on(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path}: ${this.on(path).length} of ${count} requests within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.on(path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Verifies an RS256 JWT against a JWKS with node:crypto and returns its claims. */
export function verifyJwt(token: string, jwks: { keys: (JsonWebKey & { kid: string })[] }): Record<string, unknown> {
  const [header, claims, signature] = token.split('.');
  if (!header || !claims || !signature) throw new Error('not a JWT');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg: string; kid: string };
  if (alg !== 'RS256') throw new Error(`unexpected alg ${alg}`);
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no key ${kid} in the JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  if (!verify('sha256', Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, 'base64url'))) throw new Error('bad signature');
  return JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Seconds of a protobuf Timestamp or Duration as the client returns them. */
export function seconds(value: { seconds?: number | string | Long | null; nanos?: number | null } | null | undefined): number {
  return Number(value?.seconds ?? 0) + (value?.nanos ?? 0) / 1e9;
}
type Long = { toString(): string };
