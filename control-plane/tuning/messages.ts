// The message on tuning-requests: which recorded tuning run to submit. The run's record (written by
// the API before publishing) holds the study and the rest, so a redelivery builds the same job.
import { z } from 'zod';
import { REQUEST_ID } from '../retraining/messages.js';

export const TuningRequestMessage = z.strictObject({
  model: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a model name: lowercase letters, digits and hyphens'),
  requestId: z.string().regex(REQUEST_ID, 'letters, digits and . _ : -, starting with a letter or digit, at most 128'),
  requestTime: z.iso.datetime({ offset: true }),
});
export type TuningRequestMessage = z.infer<typeof TuningRequestMessage>;
