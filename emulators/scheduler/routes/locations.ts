// google.cloud.location.Locations for this service (ListLocations, GetLocation), which gcloud and
// the client's LocationsClient may call: a fixed list of Cloud Scheduler regions.
import { GoogleApiError } from '../../kit/google-error.js';
import { decodeOffsetToken, effectivePageSize, encodeOffsetToken, queryFingerprint } from '../../kit/page-token.js';
import type { EmulatorServer } from '../../kit/server.js';
import { parseInt32 } from '../../monitoring/proto-json.js';
import { bindQuery, queryValue } from '../../monitoring/validation.js';
import { locationName } from '../names.js';

const REGIONS = [
  'asia-east1', 'asia-east2', 'asia-northeast1', 'asia-south1', 'asia-southeast1', 'australia-southeast1',
  'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4', 'northamerica-northeast1', 'southamerica-east1',
  'us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west2',
];

const location = (project: string, id: string) => ({ name: `projects/${project}/locations/${id}`, locationId: id });

export function registerLocationRoutes(server: EmulatorServer): void {
  server
    .route('GET', '/v1/projects/{project}/locations', (ctx) => {
      // `filter` is accepted and, with no labels on these locations, ignored.
      const bound = bindQuery(ctx.query, { singular: ['filter', 'pageSize', 'pageToken', 'extraLocationTypes'] });
      const project = ctx.params.project!;
      locationName(project, REGIONS[0]!);
      const fingerprint = queryFingerprint(['locations', project]);
      const { offset } = decodeOffsetToken(bound.get('pageToken')?.[0], fingerprint);
      const size = effectivePageSize(queryValue(bound, 'pageSize', 'TYPE_INT32', parseInt32), REGIONS.length);
      const page = REGIONS.slice(offset, offset + size).map((id) => location(project, id));
      return { locations: page, ...(offset + size < REGIONS.length ? { nextPageToken: encodeOffsetToken(fingerprint, offset + size) } : {}) };
    })
    .route('GET', '/v1/projects/{project}/locations/{location}', (ctx) => {
      bindQuery(ctx.query, { singular: [] });
      const name = locationName(ctx.params.project!, ctx.params.location!, 'name');
      if (!REGIONS.includes(name.location)) throw new GoogleApiError(404, `Location ${name.name} is not found or is not a Cloud Scheduler location.`);
      return location(name.project, name.location);
    });
}
