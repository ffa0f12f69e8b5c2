// Kept so that existing imports keep working: the scripts log through the one logger in logging/.
export { log, logger } from '../logging/log.js';
export type { Severity } from '../logging/log.js';
