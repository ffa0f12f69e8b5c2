// Loopback HTTP to model servers. One keep-alive agent per runtime: a prediction costs no new
// connection; the agent drops idle sockets well before the Python server's own idle timeout.
import { Agent, request } from 'node:http';

export interface HttpReply {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export interface HttpCall {
  port: number;
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer;
  contentType?: string;
  timeoutMs: number;
  /** Default: a fresh connection (health probes should not hold pooled sockets). */
  agent?: Agent;
}

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, timeout: 5_000 });
}

export function httpCall(call: HttpCall): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (call.body !== undefined) {
      headers['content-type'] = call.contentType ?? 'application/json';
      headers['content-length'] = call.body.length;
    }
    const req = request({ host: '127.0.0.1', port: call.port, method: call.method, path: call.path, headers, agent: call.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }));
      res.once('error', reject);
    });
    req.setTimeout(call.timeoutMs, () => req.destroy(new HttpTimeoutError(`no answer from 127.0.0.1:${call.port}${call.path} within ${call.timeoutMs} ms`)));
    req.once('error', reject);
    req.end(call.body);
  });
}

export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
}
