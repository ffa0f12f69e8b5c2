// mlopsApi over HTTP, as curl would call it: GETs only, each answer checked against its schema.
// A 404 (an unknown id, or an endpoint this deployment does not serve yet) is a value, not an error,
// so a page can say "not available" and still show the rest.
import type { z } from 'zod';
import { readRetryingReset } from './connection-reset.js';

export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly message: string };

/** Adds `Authorization` for a deployed mlopsApi (an ID token); locally none is needed for GETs. */
export type AuthHeaders = (url: string) => Promise<Record<string, string>>;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly auth: AuthHeaders = () => Promise.resolve({}),
    /** A GET that has not answered (body included) by then is given up: a hung API never hangs a page. */
    private readonly timeoutMs = 20_000,
  ) {}

  /** GET `path` (segments already encoded): the parsed body, or why there is none. */
  async get<S extends z.ZodType>(schema: S, path: string): Promise<Loaded<z.output<S>>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    let text: string;
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      ({ response, text } = await readRetryingReset(async () => {
        const r = await fetch(url, { headers: { Accept: 'application/json', ...(await this.auth(url)) }, signal });
        return { response: r, text: await r.text() };
      }));
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, status: 0, message: `mlopsApi at ${this.baseUrl} did not answer GET ${path} within ${this.timeoutMs / 1000} s` };
      return { ok: false, status: 0, message: `mlopsApi unreachable at ${this.baseUrl}: ${(err as Error).message}` };
    }
    if (!response.ok) return { ok: false, status: response.status, message: errorMessage(text) ?? `HTTP ${response.status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: 502, message: `GET ${path} answered something that is not JSON` };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, status: 502, message: `GET ${path}: field ${issue.path.join('.') || '(body)'}: ${issue.message}` };
    }
    return { ok: true, value: parsed.data };
  }
}

/** Google's error shape `{error: {message}}`, else undefined. */
function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return text.slice(0, 200) || undefined;
  }
}

/** `segments` percent-encoded and joined: `path('v1', 'models', name)` → `/v1/models/<name>`. */
export function apiPath(...segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`;
}
