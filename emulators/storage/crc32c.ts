// CRC-32C (Castagnoli), as Cloud Storage reports it: base64 of the big-endian uint32.
// No CRC-32C package is installed (node:zlib only has the IEEE polynomial), so a slice-by-8 table
// implementation lives here; tests cross-check it against the storage client's own CRC32C.

const POLY = 0x82f63b78; // reflected 0x1EDC6F41

/** TABLES[k][b]: CRC of byte b followed by k zero bytes (slice-by-8). */
const TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = tables[0]!;
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[b] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const cur = tables[k]!;
    for (let b = 0; b < 256; b++) cur[b] = (t0[prev[b]! & 0xff]! ^ (prev[b]! >>> 8)) >>> 0;
  }
  return tables;
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];

/** Continue a CRC-32C over `data`; start with 0. Returns an unsigned 32-bit value. */
export function crc32cUpdate(crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c =
      T7[lo & 0xff]! ^
      T6[(lo >>> 8) & 0xff]! ^
      T5[(lo >>> 16) & 0xff]! ^
      T4[lo >>> 24]! ^
      T3[data[i + 4]!]! ^
      T2[data[i + 5]!]! ^
      T1[data[i + 6]!]! ^
      T0[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) c = T0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The encoding Cloud Storage uses in `crc32c` fields and `x-goog-hash`. */
export function crc32cToBase64(crc: number): string {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(crc >>> 0);
  return buf.toString('base64');
}

export function crc32cBase64(data: Uint8Array): string {
  return crc32cToBase64(crc32cUpdate(0, data));
}
