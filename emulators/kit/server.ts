// A small HTTP server for the emulators: routing on Google's REST paths, JSON bodies checked before
// any handler runs (json-body.ts), cross-site browser requests refused (browser-guard.ts),
// Google-shaped errors, fault injection, and an admin route to configure faults at run time.
// Plain node:http: uploads and media downloads need raw streams and exact control of headers.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZodError } from 'zod';
import { browserRefusal } from './browser-guard.js';
import type { FaultInjector } from './faults.js';
import { badRequest, errorStyleFor, GoogleApiError, unknownFieldMessage } from './google-error.js';
import { MAX_JSON_BODY, parseJsonBody, payloadTooLarge, readLimited } from './json-body.js';
import { emulatorLog } from './log.js';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  /** The body parsed as JSON (`{}` when empty), or a 4xx naming the problem. */
  json(): Promise<unknown>;
  /** The whole body as bytes (routes registered with `body: 'raw'` may also stream `req`). */
  raw(): Promise<Buffer>;
}

export interface RouteOptions {
  /**
   * `json` (default): the kit reads and checks the body as JSON before the handler runs, so a
   * refused body (content type, size, nesting, syntax) never reaches it. `raw`: the handler reads
   * the body itself (media uploads, rawPredict); `ctx.json()` still applies the JSON checks.
   */
  body?: 'json' | 'raw';
}

/** A handler returns a JSON body (200), `{status, body}`, or `undefined` when it wrote the response itself. */
export type HandlerResult = unknown;
export type Handler = (ctx: RequestContext) => unknown;

export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

interface Route {
  method: string;
  /** As registered: `/v1/{parent=**}/jobs/{id}`. */
  template: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
  body: 'json' | 'raw';
}

/** Largest body `ctx.raw()` buffers; streaming handlers (uploads) apply their own limits. */
const MAX_RAW_BODY = 256 * 1024 * 1024;
/** After an early error answer, how long the rest of an unread body may keep arriving (discarded). */
const LINGER_MS = 5_000;

/**
 * Paths are templates: `{name}` matches one segment; `{name=**}` matches the rest (slashes allowed).
 * `:verb` suffixes (`/jobs/{id}:cancel`) are literal text.
 */
function compileTemplate(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let pattern = '';
  for (const part of template.split(/(\{[^}]+\})/)) {
    const m = /^\{([^}=]+)(=\*\*)?\}$/.exec(part);
    if (m) {
      names.push(m[1]!);
      pattern += m[2] ? '(.+?)' : '([^/]+?)';
    } else {
      pattern += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return { regex: new RegExp(`^${pattern}$`), names };
}

export class EmulatorServer {
  private readonly routes: Route[] = [];
  private server: Server | undefined;

  constructor(
    readonly service: string,
    private readonly faults: FaultInjector,
  ) {
    this.route('GET', '/_emulator/faults', () => this.faults.list());
    this.route('PUT', '/_emulator/faults', async (ctx) => {
      this.faults.configure(await ctx.json());
      return this.faults.list();
    });
    this.route('GET', '/_emulator/health', () => ({ service: this.service, status: 'ok' }));
    // What this emulator serves, for people exploring it and for the route fuzz test.
    this.route('GET', '/_emulator/routes', () => ({
      routes: this.routes.map((r) => ({ method: r.method, template: r.template, body: r.body })),
    }));
  }

  route(method: string, template: string, handler: Handler, options: RouteOptions = {}): this {
    const { regex, names } = compileTemplate(template);
    this.routes.push({ method: method.toUpperCase(), template, regex, names, handler, body: options.body ?? 'json' });
    return this;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      // handle() answers its own errors; this is the last line against a crash of the process.
      this.handle(req, res).catch((err: unknown) => {
        emulatorLog('ERROR', 'emulator request handling failed', { service: this.service, error: String(err) });
        res.destroy();
      });
    });
    // Keep-alive sockets must not hold the process open on close.
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        // Later server errors are logged, not lost.
        server.on('error', (err) => emulatorLog('ERROR', 'emulator server error', { service: this.service, error: String(err) }));
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    return { host, port: address.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    let path = req.url ?? '/';
    try {
      const url = requestUrl(path);
      path = url.pathname;
      const refusal = browserRefusal(req.headers, req.socket.localPort ?? 0);
      if (refusal) throw new GoogleApiError(403, refusal);
      if (!path.startsWith('/_emulator/')) {
        const decision = this.faults.decide(this.service, method, path);
        if (decision.kind === 'timeout') return; // never answer: the client's deadline fires
        if (decision.kind === 'status') {
          throw new GoogleApiError(decision.status, `injected fault ${decision.status} on ${method} ${path}`);
        }
      }
      const match = this.match(method, path);
      if (!match) {
        const allowed = this.routes.some((r) => r.regex.test(path));
        throw new GoogleApiError(allowed ? 405 : 404, allowed ? `method ${method} not allowed on ${path}` : `no such resource: ${method} ${path}`);
      }
      const { route } = match;
      let bodyPromise: Promise<Buffer> | undefined;
      let jsonPromise: Promise<unknown> | undefined;
      const read = (limit: number) => (bodyPromise ??= readLimited(req, limit));
      const raw = () => read(route.body === 'raw' ? MAX_RAW_BODY : MAX_JSON_BODY);
      const json = () =>
        (jsonPromise ??= read(MAX_JSON_BODY).then((body) => {
          if (body.length > MAX_JSON_BODY) throw payloadTooLarge(MAX_JSON_BODY);
          return parseJsonBody(body, req.headers['content-type']);
        }));
      const ctx: RequestContext = {
        req,
        res,
        method,
        path,
        query: url.searchParams,
        params: match.params,
        raw,
        json,
      };
      if (route.body === 'json') await json();
      const result = await route.handler(ctx);
      if (res.writableEnded || res.headersSent) return;
      if (result instanceof Reply) send(res, result.status, result.body, result.headers);
      else send(res, 200, result);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code >= 500 && !(err instanceof GoogleApiError)) {
        emulatorLog('ERROR', 'emulator request failed', { service: this.service, method, path, error: String((err as Error).stack ?? err) });
      }
      if (!res.headersSent) send(res, apiError.code, apiError.toBody(errorStyleFor(this.service)));
      else res.destroy();
      // An answer given before the body was read (413, 415, 403...): the rest of the body is
      // discarded as it arrives, for a while, then the connection is dropped.
      if (!req.complete) {
        setTimeout(() => {
          if (!req.complete) req.socket.destroy();
        }, LINGER_MS).unref();
      }
    } finally {
      if (process.env.EMULATOR_LOG_REQUESTS === '1') {
        emulatorLog('DEBUG', 'request', { service: this.service, method, path, status: res.statusCode, ms: Math.round(performance.now() - started) });
      }
    }
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new GoogleApiError(400, `malformed percent-encoding in path segment '${m[i + 1]!}'`);
        }
      }
      return { route, params };
    }
    return undefined;
  }
}

function toApiError(err: unknown): GoogleApiError {
  if (err instanceof GoogleApiError) return err;
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    // Unknown keys are reported in `keys`, not in `path`.
    const keys: string[] = issue && 'keys' in issue && Array.isArray(issue.keys) ? issue.keys : [];
    const path = issue?.path.map(String) ?? [];
    if (keys.length) {
      const field = [...path, keys[0]!].join('.');
      return new GoogleApiError(400, unknownFieldMessage(keys[0]!, path.join('.') || '(body)'), { location: field });
    }
    const field = path.join('.') || '(body)';
    return new GoogleApiError(400, `Invalid value at '${field}': ${issue?.message ?? 'invalid'}`, { location: field });
  }
  return new GoogleApiError(500, `internal emulator error: ${(err as Error).message ?? String(err)}`);
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The request target as a URL. Origin-form (`/path?query`) is never resolved against a base, so
 * `//host/x` stays a path; absolute-form must be a valid URL; anything else is a 400, not a crash.
 */
function requestUrl(target: string): URL {
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    throw badRequest(`malformed request target '${target}'`);
  }
}
