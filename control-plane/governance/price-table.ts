// List prices for what a training run uses on Vertex AI, in us-central1, so that each run can carry
// an estimate of what it cost. These are the public on-demand list prices (no discounts, credits,
// committed use or Spot), copied by hand from Google's pricing pages on the date below: they go
// stale, and a bill is the only real answer. A machine or accelerator missing here is never priced
// at zero: the estimate names it as unpriced. When updating: re-read the page, change the numbers
// and PRICES_AS_OF together (the unit tests pin e2-standard-4 and n1-standard-4 to this table).

/** When the prices below were read off the pricing pages. */
export const PRICES_AS_OF = '2026-12-03';

export const PRICE_SOURCE =
  'List prices in USD for us-central1 from https://cloud.google.com/vertex-ai/pricing (custom training: ' +
  'per machine type and per accelerator, per hour; Vertex AI Pipelines: per pipeline run), on-demand, ' +
  `before any discount; read ${PRICES_AS_OF}. An estimate, not a bill.`;

export const PRICE_REGION = 'us-central1';

/** Vertex AI custom training, per machine per hour (vCPUs and memory of the machine type included). */
export const TRAINING_MACHINE_USD_PER_HOUR: Readonly<Record<string, number>> = {
  // E2: Vertex Pipelines' default machine for a step (e2-standard-4) and its sizes.
  'e2-standard-2': 0.077057,
  'e2-standard-4': 0.154114,
  'e2-standard-8': 0.308228,
  'e2-standard-16': 0.616456,
  'e2-standard-32': 1.232912,
  // N1: the tuning trials' machine (n1-standard-4) and the CustomJob presets (n1-standard-4/8, n1-highmem-4).
  'n1-standard-4': 0.2185,
  'n1-standard-8': 0.437,
  'n1-standard-16': 0.874,
  'n1-standard-32': 1.748,
  'n1-highmem-4': 0.27209,
};

/** Vertex AI custom training, per accelerator per hour (added to the machine's price). */
export const TRAINING_ACCELERATOR_USD_PER_HOUR: Readonly<Record<string, number>> = {
  // The CustomJob presets' GPU (n1-standard-8 + 1 × T4).
  NVIDIA_TESLA_T4: 0.4025,
};

/** Vertex AI Pipelines: the fee per pipeline run, on top of the compute its steps use. */
export const PIPELINE_RUN_FEE_USD = 0.03;

/** Vertex Pipelines runs a step without resource settings on this machine (its documented default). */
export const DEFAULT_PIPELINE_STEP_MACHINE = 'e2-standard-4';

/** E2 standard sizes (vCPUs, memory GB = 4 × vCPUs), smallest first: what a step's CPU and memory limits fit in. */
export const E2_STANDARD_SIZES: readonly { readonly machineType: string; readonly vcpus: number; readonly memoryGb: number }[] = [2, 4, 8, 16, 32].map((vcpus) => ({
  machineType: `e2-standard-${vcpus}`,
  vcpus,
  memoryGb: vcpus * 4,
}));
