// Keeps web pages from driving the local cloud: the emulators run jobs and write files on this
// machine, so a request a browser sends on behalf of any other site is refused before routing.
//
// The rule, for every request (the emulators never send CORS headers, so no preflight is granted):
// - `Origin`, when present, must be this emulator's own origin: `http://127.0.0.1:P`,
//   `http://localhost:P` or `http://[::1]:P`, where P is the port the request arrived on. Other
//   emulators' ports, other loopback ports (a dev server on :3000) and `null` are refused.
// - `Sec-Fetch-Site`, when present, must be `same-origin` or `none` (typed by the user): this
//   also catches cross-site GETs, which carry no `Origin` (`<script src>`, `<img>`).
// - `Host`, when present, must be `localhost` or an IP literal: a DNS-rebinding page reaches the
//   emulator under its own domain name, and then even its same-origin requests are refused.
// Clients that are not browsers (Google's client libraries, gcloud, curl) send none of the first
// two headers and address the emulator by IP or localhost, so they are unaffected.
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_ORIGIN_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

function ownOrigin(origin: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // `url.origin === origin` rejects anything an origin cannot carry (paths, user info, spaces).
  return url.protocol === 'http:' && url.origin === origin && LOOPBACK_ORIGIN_HOSTS.has(url.hostname) && Number(url.port || '80') === port;
}

function localHost(host: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return bare === 'localhost' || isIP(bare) !== 0;
}

/** Why this request must be refused (a 403 message), or undefined when it may proceed. */
export function browserRefusal(headers: IncomingHttpHeaders, port: number): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined && !ownOrigin(origin, port)) {
    return `Cross-origin request refused: Origin '${origin}' is not this emulator's own origin (http://127.0.0.1:${port}, http://localhost:${port} or http://[::1]:${port}).`;
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && !ALLOWED_FETCH_SITES.has(site)) {
    return `Cross-site request refused: Sec-Fetch-Site is '${site}'; the local cloud only answers its own pages and non-browser clients.`;
  }
  const host = headers.host;
  if (host !== undefined && !localHost(host)) {
    return `Request refused: Host '${host}' is not localhost or an IP address (the emulators only answer under a local address, against DNS rebinding).`;
  }
  return undefined;
}
