// The console's HTTP server (node:http): GET a path, get a server-rendered page. It reads only
// mlopsApi over HTTP and Google's APIs through google-clients, as any user of the product could.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientEnvironment } from '../google-clients/environment.js';
import { log } from '../logging/log.js';
import type { AuthHeaders } from './api-client.js';
import { ApiClient } from './api-client.js';
import { GoogleSources } from './google-sources.js';
import { html, page, PAGE_CSP } from './html.js';
import { pageFor } from './pages.js';
import type { Sources } from './sources.js';

export interface ConsoleOptions {
  /** mlopsApi's base URL. */
  readonly apiUrl: string;
  /** The project and the `*_EMULATOR_HOST` variables the Google clients honour. */
  readonly clients: ClientEnvironment;
  readonly region?: string;
  readonly port?: number;
  readonly host?: string;
  readonly auth?: AuthHeaders;
}

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

export function consoleSources(options: Pick<ConsoleOptions, 'apiUrl' | 'clients' | 'region' | 'auth'>): Sources {
  return { api: new ApiClient(options.apiUrl, options.auth), google: new GoogleSources(options.clients, options.region ?? 'us-central1') };
}

export async function startConsoleServer(options: ConsoleOptions): Promise<ConsoleServer> {
  const sources = consoleSources(options);
  const server = createServer((req, res) => {
    const started = performance.now();
    // No page runs script; a served document (a model card from Storage) is sandboxed as well.
    const send = (status: number, body: string, sandbox = false) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': `${PAGE_CSP}${sandbox ? '; sandbox' : ''}` });
      res.end(body);
    };
    // Anything thrown here (a request target `new URL` refuses, such as `//`) is the request's
    // fault: a 400, never an exception that ends the process the local cloud runs in.
    try {
      handle(req, res, send, started);
    } catch (err) {
      log('WARNING', 'console request refused', { url: String(req.url).slice(0, 200), error: String((err as Error)?.message ?? err) });
      if (res.headersSent) res.destroy();
      else send(400, page('Bad request', [], html`<p>The request could not be read.</p>`));
    }
  });
  const handle = (req: IncomingMessage, res: ServerResponse, send: (status: number, body: string, sandbox?: boolean) => void, started: number): void => {
    const url = new URL(req.url ?? '/', 'http://console.local');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(405, page('Method not allowed', [], html`<p>The console only reads: use GET.</p>`));
      return;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    pageFor(sources, path)
      .then((p) => {
        if (p.document !== undefined) send(p.status, p.document, true);
        else send(p.status, page(p.title, p.crumbs, p.body));
        log('INFO', 'console page', { path: path.slice(0, 200), status: p.status, durationMs: Math.round(performance.now() - started) });
      })
      .catch((err: unknown) => {
        log('ERROR', 'console page failed', { path: path.slice(0, 200), error: String((err as Error)?.stack ?? err) });
        // Never a rejection left unhandled (it would end the process): a half-sent page is cut off.
        if (res.headersSent) res.destroy();
        else send(500, page('Error', [], html`<p>The page could not be drawn: ${String((err as Error)?.message ?? err)}</p>`));
      });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await sources.google.close();
    },
  };
}

/**
 * The console for a local cloud's environment (`.local-cloud/env`, or LocalCloud.env): undefined
 * when it serves no mlopsApi (started without the functions), since every page reads through it.
 */
export async function startConsoleForEnv(env: Readonly<Record<string, string | undefined>>, options: { port?: number } = {}): Promise<ConsoleServer | undefined> {
  const apiUrl = env.MLOPS_API_URL;
  const projectId = env.GOOGLE_CLOUD_PROJECT;
  if (!apiUrl || !projectId) return undefined;
  return startConsoleServer({ apiUrl, clients: { projectId, env: { ...env } }, ...(env.MLOPS_REGION ? { region: env.MLOPS_REGION } : {}), ...(options.port === undefined ? {} : { port: options.port }) });
}
