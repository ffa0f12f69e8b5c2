// The console's reads survive a connection closed under them (a pooled keep-alive socket the server
// had just let go): sent once more on a fresh connection; a server that keeps resetting is reported.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../console/api-client.js';
import { ModelList } from '../../console/api-schemas.js';
import { isConnectionReset, readRetryingReset } from '../../console/connection-reset.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Resets the first `resets` requests' sockets, then answers an empty model list. */
async function resettingApi(resets: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req, res) => {
    requests++;
    if (requests <= resets) {
      req.socket.resetAndDestroy();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ models: [] }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('connection resets', () => {
  it('tells a reset (as fetch and gax wrap it) from other errors', () => {
    expect(isConnectionReset(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).toBe(true);
    expect(isConnectionReset(new Error('request to http://127.0.0.1:1/v1/x failed, reason: read ECONNRESET'))).toBe(true);
    expect(isConnectionReset(new Error('socket hang up'))).toBe(true);
    expect(isConnectionReset(Object.assign(new Error('5 NOT_FOUND: no such job'), { code: 5 }))).toBe(false);
    expect(isConnectionReset(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('sends a read again once after a reset, and never after another error', async () => {
    let calls = 0;
    await expect(readRetryingReset(async () => (++calls === 1 ? Promise.reject(Object.assign(new Error('x'), { code: 'ECONNRESET' })) : 'ok'))).resolves.toBe('ok');
    expect(calls).toBe(2);
    calls = 0;
    await expect(readRetryingReset(async () => (++calls, Promise.reject(Object.assign(new Error('denied'), { code: 7 }))))).rejects.toThrow('denied');
    expect(calls).toBe(1);
  });

  it('an mlopsApi GET whose connection is reset once still answers', async () => {
    const api = await resettingApi(1);
    const loaded = await new ApiClient(api.url).get(ModelList, '/v1/models');
    expect(loaded).toEqual({ ok: true, value: { models: [] } });
    expect(api.requests()).toBe(2);
  });

  it('an mlopsApi that keeps resetting is reported, after one retry', async () => {
    const api = await resettingApi(100);
    const loaded = await new ApiClient(api.url).get(ModelList, '/v1/models');
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? '' : loaded.message).toMatch(/^mlopsApi unreachable at /);
    expect(api.requests()).toBe(2);
  });
});
