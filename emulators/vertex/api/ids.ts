// Server-assigned ids look like Vertex's: 19-digit decimal numbers (no leading zero).
import { randomInt } from 'node:crypto';

export function numericId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 18; i++) id += String(randomInt(0, 10));
  return id;
}

/** RFC 3339 with milliseconds, as every timestamp the emulator writes. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}
