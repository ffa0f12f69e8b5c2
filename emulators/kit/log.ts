// Kept so that the emulators' call sites keep working: `emulatorLog` is the one logger in logging/
// (Cloud Logging JSON on stderr, readable lines on a terminal).
export { log as emulatorLog } from '../../logging/log.js';
export type { Severity } from '../../logging/log.js';
