// monitoredResourceDescriptors.list / get: the fixed catalogue of resource types, read-only.
import type { EmulatorServer } from '../../kit/server.js';
import type { DescriptorService } from '../descriptor-service.js';
import { encodingFromQuery } from '../enums.js';

export function registerMonitoredResourceDescriptorRoutes(server: EmulatorServer, descriptors: DescriptorService): void {
  server
    .route('GET', '/v3/projects/{project}/monitoredResourceDescriptors', (ctx) => descriptors.listResources(ctx.params.project!, ctx.query, encodingFromQuery(ctx.query)))
    .route('GET', '/v3/projects/{project}/monitoredResourceDescriptors/{type=**}', (ctx) =>
      descriptors.getResource(ctx.params.project!, ctx.params.type!, ctx.query, encodingFromQuery(ctx.query)),
    );
}
