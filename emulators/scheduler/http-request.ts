// One HTTP request with exactly the headers given (fetch would add Accept, Sec-Fetch-Mode and
// more, which Cloud Scheduler does not send), following redirects as Cloud Scheduler does: "For a
// redirected request, the response returned by the redirected request is considered."
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface OutgoingRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}

function once(url: URL, req: OutgoingRequest): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, ...(req.body ? { 'Content-Length': String(req.body.length) } : {}) };
    const outgoing = send(url, { method: req.method, headers, signal: req.signal }, resolve);
    outgoing.once('error', reject);
    outgoing.end(req.body);
  });
}

/** Reads the whole answer (a target that stalls mid-body misses the deadline too). */
function drain(response: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    response.on('data', () => {});
    response.once('end', resolve);
    response.once('error', reject);
    response.once('aborted', () => reject(new Error('the response was aborted')));
  });
}

/** The final status after redirects. Rejects on network errors and when `signal` aborts. */
export async function sendRequest(uri: string, request: OutgoingRequest): Promise<{ status: number; statusText: string }> {
  let url = new URL(uri);
  let current = request;
  for (let hop = 0; ; hop += 1) {
    const response = await once(url, current);
    await drain(response);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || !location || hop >= MAX_REDIRECTS) return { status, statusText: response.statusMessage ?? '' };
    url = new URL(location, url);
    // As browsers and fetch do: 303 (and 301/302 after a POST) continue as a GET without a body.
    if (status === 303 || ((status === 301 || status === 302) && current.method === 'POST')) {
      const headers = Object.fromEntries(Object.entries(current.headers).filter(([name]) => name.toLowerCase() !== 'content-type'));
      current = { method: 'GET', headers, signal: current.signal };
    }
  }
}
