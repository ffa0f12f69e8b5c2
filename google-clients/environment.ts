// Where Google clients point: the project, and the `*_EMULATOR_HOST` variables that send them to
// the local cloud instead of Google. Shared by every client module here; imports no client library.
import { OAuth2Client } from 'google-auth-library';

export interface ClientEnvironment {
  readonly projectId: string;
  readonly env: NodeJS.ProcessEnv;
}

export function clientEnvironment(env: NodeJS.ProcessEnv = process.env): ClientEnvironment {
  const projectId = env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT;
  if (!projectId) throw new Error('GOOGLE_CLOUD_PROJECT is not set');
  return { projectId, env };
}

/** `host:port` or `http://host:port` → parts; emulators speak plain HTTP on loopback. */
export function parseEmulatorHost(value: string): { host: string; port: number; url: string } {
  const url = new URL(/^https?:\/\//.test(value) ? value : `http://${value}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname, port, url: `${url.protocol}//${url.hostname}:${port}` };
}

/** Emulators accept any token; a fixed one keeps clients from hunting for default credentials. */
export function emulatorAuth(): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: 'local-emulator-token', expiry_date: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
  return client;
}

/** Options for a gax (gRPC/REST) client: Google's endpoint, or the emulator over HTTP/JSON. */
// A type alias, not an interface: gax's ClientOptions has an index signature only aliases satisfy.
export type GaxOptions = {
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http';
  fallback?: 'rest';
  authClient?: OAuth2Client;
  projectId: string;
};

/** The emulator's gax options when `hostVariable` is set, else undefined (use Google's endpoint). */
export function emulatorGaxOptions(hostVariable: string, ce: ClientEnvironment): GaxOptions | undefined {
  const host = ce.env[hostVariable];
  if (!host) return undefined;
  const { host: h, port } = parseEmulatorHost(host);
  return { apiEndpoint: h, port, protocol: 'http', fallback: 'rest', authClient: emulatorAuth(), projectId: ce.projectId };
}
