// CreateEndpointRequest: an online prediction endpoint that models are deployed to.
import type { ICreateEndpointRequest, IEndpoint } from '../shared/proto-types.js';
import type { DurationInput } from '../shared/duration.js';
import { toPositiveDuration } from '../shared/duration.js';
import { fail, requireDisplayName } from '../shared/errors.js';
import { validateLabels } from '../shared/labels.js';
import type { LocationRef } from '../shared/resource-names.js';
import { locationName, requireKmsKeyName, requireNetwork } from '../shared/resource-names.js';
import { parseBigQueryUri } from '../shared/storage-uris.js';

export interface RequestResponseLoggingInput {
  /** Fraction of requests logged, in (0, 1]. */
  readonly samplingRate: number;
  /**
   * `bq://project` (Vertex creates dataset and table), `bq://project.dataset` (creates the
   * table `request_response_logging`) or `bq://project.dataset.table` (table must not exist).
   */
  readonly bigqueryDestination: string;
}

export interface EndpointInput extends LocationRef {
  readonly displayName: string;
  readonly description?: string;
  /** Letter first: up to 63 of [a-z0-9-]; digit first: up to 9 digits, no leading zero. */
  readonly endpointId?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Logs requests and responses to BigQuery: the raw data for canary analysis. */
  readonly requestResponseLogging?: RequestResponseLoggingInput;
  /** A dedicated (own DNS name) public endpoint instead of the shared one. */
  readonly dedicatedEndpoint?: boolean;
  /** VPC for a private-service-access endpoint (one deployed model, no traffic split). */
  readonly network?: string;
  readonly inferenceTimeout?: DurationInput;
  readonly encryptionKmsKeyName?: string;
}

const ENDPOINT_ID = /^(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|[1-9][0-9]{0,8})$/;

export function buildCreateEndpointRequest(input: EndpointInput): ICreateEndpointRequest {
  const endpoint: IEndpoint = {
    displayName: requireDisplayName(input.displayName),
  };
  if (input.description !== undefined) endpoint.description = input.description;
  const labels = validateLabels(input.labels);
  if (labels !== undefined) endpoint.labels = labels;
  if (input.requestResponseLogging !== undefined) {
    const { samplingRate, bigqueryDestination } = input.requestResponseLogging;
    if (!(samplingRate > 0 && samplingRate <= 1)) fail('requestResponseLogging.samplingRate', `must be in (0, 1], got ${samplingRate}`);
    parseBigQueryUri(bigqueryDestination, 'requestResponseLogging.bigqueryDestination');
    endpoint.predictRequestResponseLoggingConfig = {
      enabled: true,
      samplingRate,
      bigqueryDestination: { outputUri: bigqueryDestination },
    };
  }
  if (input.dedicatedEndpoint === true && input.network !== undefined) {
    fail('dedicatedEndpoint', 'a dedicated endpoint is public; it cannot also use a private network');
  }
  if (input.dedicatedEndpoint !== undefined) endpoint.dedicatedEndpointEnabled = input.dedicatedEndpoint;
  if (input.network !== undefined) endpoint.network = requireNetwork(input.network);
  if (input.inferenceTimeout !== undefined) {
    endpoint.clientConnectionConfig = { inferenceTimeout: toPositiveDuration(input.inferenceTimeout, 'inferenceTimeout') };
  }
  if (input.encryptionKmsKeyName !== undefined) {
    endpoint.encryptionSpec = { kmsKeyName: requireKmsKeyName(input.encryptionKmsKeyName, input.location, 'encryptionKmsKeyName') };
  }
  const request: ICreateEndpointRequest = { parent: locationName(input), endpoint };
  if (input.endpointId !== undefined) {
    if (!ENDPOINT_ID.test(input.endpointId)) {
      fail('endpointId', `must be up to 63 of [a-z0-9-] starting with a letter, or up to 9 digits without a leading zero; got ${JSON.stringify(input.endpointId)}`);
    }
    request.endpointId = input.endpointId;
  }
  return request;
}
