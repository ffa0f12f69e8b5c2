// The console only reads, so a read that meets a connection the server had just closed (a pooled
// keep-alive socket reused as the server's idle timeout ends it: ECONNRESET, "socket hang up") is
// simply sent again, once, on a fresh connection. Anything else is the caller's to report.

/** Whether `err` (or its cause, as fetch wraps it) is a connection closed under the request. */
export function isConnectionReset(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'UND_ERR_SOCKET') return true;
    if (typeof e.message === 'string' && /ECONNRESET|socket hang up|other side closed/.test(e.message)) return true;
  }
  return false;
}

/** `read()`, sent a second time when the first met a connection reset. */
export async function readRetryingReset<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isConnectionReset(err)) throw err;
    return read();
  }
}
