// Request bodies as the kit reads them: a byte limit enforced while reading (not after), the JSON
// content type, a nesting-depth limit, and parsing, each refused with a Google-shaped error.
import type { IncomingMessage } from 'node:http';
import { badRequest, GoogleApiError } from './google-error.js';

/** Largest JSON request body; Google's front ends refuse bigger REST payloads too. */
export const MAX_JSON_BODY = 32 * 1024 * 1024;

/**
 * Deepest nesting of objects and arrays a JSON body may have. Google parses REST bodies into
 * protos, and protobuf's JSON parser stops at a recursion depth of 100
 * (`kDefaultMaxRecursionDepth = 100` in protobuf's util/internal/json_stream_parser.cc, answered
 * as "Message too deep"); the same limit here keeps every handler's recursive walks (schema
 * checks, row coercion, JSON.stringify) far from the stack's end.
 */
export const MAX_JSON_DEPTH = 100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * True when JSON text nests objects/arrays deeper than `limit`. One pass, no recursion, no
 * allocation; brackets inside strings (escaped quotes included) do not count. UTF-8 multi-byte
 * sequences never contain these ASCII bytes, so scanning bytes is exact.
 */
export function nestingExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i += 1; // the escaped byte cannot end the string
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) {
      inString = true;
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

/** `application/json`, any case, with or without parameters (`; charset=UTF-8`). */
function isJsonContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/json';
}

export function payloadTooLarge(limit: number): GoogleApiError {
  return new GoogleApiError(413, `Request payload size exceeds the limit: ${limit} bytes.`);
}

/**
 * The whole body, refused with 413 as soon as it passes `limit` (a declared Content-Length over
 * the limit is refused before reading anything). The rest of an oversized body is left flowing
 * with no listener, so it is discarded as it arrives rather than buffered.
 */
export function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      done();
      chunks.length = 0;
      reject(payloadTooLarge(limit));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    // The client went away before the end of its body: nobody is left to answer.
    const onClose = () => {
      done();
      reject(new GoogleApiError(499, 'the client closed the request before sending all of its body'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * A JSON body as the kit hands it to handlers: empty means `{}` (no content type needed);
 * otherwise the content type must be JSON (a browser's cross-site "simple" request can only send
 * text/plain, form or multipart bodies), nesting is limited, and the text must parse.
 */
export function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return {};
  if (!isJsonContentType(contentType)) {
    throw new GoogleApiError(415, `Unsupported content with type: ${contentType ?? '(none)'}. JSON request bodies need Content-Type: application/json.`, { location: 'Content-Type' });
  }
  return parseJsonBytes(body);
}

/** JSON text with the nesting limit, for bodies and for JSON parts of other bodies. */
export function parseJsonBytes(bytes: Buffer): unknown {
  if (nestingExceeds(bytes, MAX_JSON_DEPTH)) {
    throw badRequest(`Invalid JSON payload received. Message too deep: objects and arrays may be nested at most ${MAX_JSON_DEPTH} levels.`, { reason: 'parseError' });
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw badRequest(`Invalid JSON payload received. ${(e as Error).message}`, { reason: 'parseError' });
  }
}
