// `uploadType=multipart` bodies (multipart/related): a JSON metadata part, then the media part.
// The media part is streamed, never buffered whole: only the bytes that could be the start of
// the closing boundary are held back.
import { badRequest } from '../kit/google-error.js';

const CRLF = Buffer.from('\r\n');
const MAX_METADATA_BYTES = 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;

export function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/related\s*;(.*)$/i.exec(contentType ?? '');
  const boundary = m ? /(?:^|;)\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(m[1]!) : null;
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) throw badRequest(`uploadType=multipart needs Content-Type multipart/related with a boundary, got '${contentType ?? ''}'`);
  return value;
}

export interface MultipartUpload {
  metadata: Buffer;
  metadataHeaders: Record<string, string>;
  mediaHeaders: Record<string, string>;
  /** The media bytes; iterating it to the end also checks the closing boundary. */
  media: AsyncIterable<Buffer>;
}

export async function parseMultipartRelated(body: AsyncIterable<Buffer>, boundary: string): Promise<MultipartUpload> {
  const reader = new ChunkReader(body[Symbol.asyncIterator]());
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // A preamble before the first boundary is allowed and ignored.
  if ((await reader.readUntil(dashBoundary, MAX_METADATA_BYTES)) === undefined) throw malformed('no opening boundary');
  if ((await reader.readUntil(CRLF, MAX_HEADER_BYTES)) === undefined) throw malformed('truncated after the opening boundary');
  const metadataHeaders = await readHeaders(reader);
  const metadata = await reader.readUntil(delimiter, MAX_METADATA_BYTES);
  if (metadata === undefined) throw malformed('the metadata part is not closed by a boundary');
  // The rest of the boundary line: '--' would close the body, anything else is transport padding.
  const boundaryLine = await reader.readUntil(CRLF, MAX_HEADER_BYTES);
  if (boundaryLine === undefined || boundaryLine.subarray(0, 2).equals(Buffer.from('--'))) throw malformed('the media part is missing');
  const mediaHeaders = await readHeaders(reader);
  async function* media(): AsyncGenerator<Buffer> {
    yield* reader.streamUntil(delimiter);
    const end = await reader.readExact(2).catch(() => Buffer.alloc(0));
    if (!end.equals(Buffer.from('--'))) throw malformed('more than two parts, or no closing boundary');
  }
  return { metadata, metadataHeaders, mediaHeaders, media: media() };
}

async function readHeaders(reader: ChunkReader): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (;;) {
    const line = await reader.readUntil(CRLF, MAX_HEADER_BYTES);
    if (line === undefined) throw malformed('truncated part headers');
    if (line.length === 0) return headers;
    const text = line.toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) throw malformed(`bad part header '${text}'`);
    headers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
  }
}

function malformed(why: string) {
  return badRequest(`Malformed multipart body: ${why}.`, { reason: 'parseError' });
}

/** Pulls chunks from a byte stream on demand, with look-ahead for delimiters. */
class ChunkReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    return true;
  }

  /** Bytes before `delimiter` (which is consumed), or undefined if the stream ends first. */
  async readUntil(delimiter: Buffer, limit: number): Promise<Buffer | undefined> {
    for (;;) {
      const at = this.buffer.indexOf(delimiter);
      if (at >= 0) {
        const out = this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + delimiter.length);
        return out;
      }
      if (this.buffer.length > limit + delimiter.length) throw malformed(`a part or header is larger than ${limit} bytes`);
      if (!(await this.fill())) return undefined;
    }
  }

  async readExact(n: number): Promise<Buffer> {
    while (this.buffer.length < n) if (!(await this.fill())) throw malformed('truncated body');
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Everything before `delimiter`, as it arrives; fails if the stream ends first. */
  async *streamUntil(delimiter: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const at = this.buffer.indexOf(delimiter);
      if (at >= 0) {
        if (at > 0) yield this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + delimiter.length);
        return;
      }
      // Keep back what could be the beginning of the delimiter.
      const safe = this.buffer.length - (delimiter.length - 1);
      if (safe > 0) {
        yield this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
      }
      if (!(await this.fill())) throw malformed('the media part is not closed by a boundary');
    }
  }
}
