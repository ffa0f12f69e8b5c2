// Generations (microsecond timestamps, int64 as decimal strings), etags, and the
// ifGeneration/ifMetageneration preconditions checked against them.
import { badRequest, preconditionFailed } from '../kit/google-error.js';

let lastGeneration = 0n;

/** Strictly increasing within the process and above `previous` (the object's last generation). */
export function nextGeneration(previous?: string): string {
  let next = BigInt(Date.now()) * 1000n;
  if (next <= lastGeneration) next = lastGeneration + 1n;
  if (previous !== undefined && next <= BigInt(previous)) next = BigInt(previous) + 1n;
  lastGeneration = next;
  return next.toString();
}

/** Cloud Storage's object etag: base64 of a protobuf {1: generation, 2: metageneration}. */
export function objectEtag(generation: string, metageneration: string): string {
  return Buffer.concat([Buffer.from([0x08]), varint(BigInt(generation)), Buffer.from([0x10]), varint(BigInt(metageneration))]).toString('base64');
}

/** Buckets: {1: metageneration}. */
export function bucketEtag(metageneration: string): string {
  return Buffer.concat([Buffer.from([0x08]), varint(BigInt(metageneration))]).toString('base64');
}

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

export type Int64Like = string | number | bigint;

export interface Preconditions {
  /** 0: the object must not exist. */
  ifGenerationMatch?: Int64Like | undefined;
  /** 0: the object must exist. */
  ifGenerationNotMatch?: Int64Like | undefined;
  ifMetagenerationMatch?: Int64Like | undefined;
  ifMetagenerationNotMatch?: Int64Like | undefined;
}

export const PRECONDITION_NAMES = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'] as const;

export function parseInt64(value: Int64Like, field: string): bigint {
  if (typeof value === 'bigint') return value;
  const text = String(value).trim();
  if (!/^-?\d{1,19}$/.test(text)) throw badRequest(`Invalid value for ${field}: '${text}' is not an int64`, { location: field });
  return BigInt(text);
}

/**
 * Check preconditions against the live object (undefined when there is none). `what` names the
 * object in the 412 message, e.g. "destination object".
 */
export function checkPreconditions(current: { generation: string; metageneration: string } | undefined, pre: Preconditions | undefined, what = 'object'): void {
  if (!pre) return;
  const fail = (field: string) => preconditionFailed(`At least one of the pre-conditions you specified did not hold. (${field} on ${what})`);
  const gen = current ? BigInt(current.generation) : 0n;
  if (pre.ifGenerationMatch !== undefined && parseInt64(pre.ifGenerationMatch, 'ifGenerationMatch') !== gen) throw fail('ifGenerationMatch');
  if (pre.ifGenerationNotMatch !== undefined && parseInt64(pre.ifGenerationNotMatch, 'ifGenerationNotMatch') === gen) throw fail('ifGenerationNotMatch');
  if (pre.ifMetagenerationMatch !== undefined) {
    const want = parseInt64(pre.ifMetagenerationMatch, 'ifMetagenerationMatch');
    if (!current || BigInt(current.metageneration) !== want) throw fail('ifMetagenerationMatch');
  }
  if (pre.ifMetagenerationNotMatch !== undefined) {
    const want = parseInt64(pre.ifMetagenerationNotMatch, 'ifMetagenerationNotMatch');
    if (!current || BigInt(current.metageneration) === want) throw fail('ifMetagenerationNotMatch');
  }
}

/**
 * Preconditions on a read: a failed *Match is a 412; a failed *NotMatch means the client's copy
 * is current, which Cloud Storage answers with 304 Not Modified.
 */
export function checkReadPreconditions(current: { generation: string; metageneration: string }, pre: Preconditions): 'ok' | 'not-modified' {
  checkPreconditions(current, { ifGenerationMatch: pre.ifGenerationMatch, ifMetagenerationMatch: pre.ifMetagenerationMatch });
  try {
    checkPreconditions(current, { ifGenerationNotMatch: pre.ifGenerationNotMatch, ifMetagenerationNotMatch: pre.ifMetagenerationNotMatch });
    return 'ok';
  } catch {
    return 'not-modified';
  }
}
