// MetadataSchemas of a store: create (optional metadata_schema_id; ALREADY_EXISTS when taken),
// get, list (AIP-160 filter over the schema's fields). Schemas are kept and answered; nodes'
// schema_title/schema_version are not checked against them (see the README).
import { alreadyExists, invalidArgument, notFound } from '../api/errors.js';
import { parseFilter } from '../api/filter.js';
import { numericId } from '../api/ids.js';
import type { QueryValues } from '../api/query.js';
import { stringParam } from '../api/query.js';
import { assertValidWireRequest, canonical } from '../api/request-validation.js';
import type { JsonObject } from '../api/wire-json.js';
import { isPlainObject } from '../api/wire-json.js';
import { METADATA_ID } from './kinds.js';
import { pageOfNodes } from './list.js';
import type { MetadataState } from './state.js';

const SCHEMA_NAME = /^projects\/[^/]+\/locations\/[^/]+\/metadataStores\/[^/]+\/metadataSchemas\/[^/]+$/;

export class MetadataSchemas {
  constructor(private readonly state: MetadataState) {}

  async create(parent: string, body: JsonObject, id: string | undefined): Promise<JsonObject> {
    assertValidWireRequest('CreateMetadataSchemaRequest', { parent, metadataSchema: body, ...(id !== undefined ? { metadataSchemaId: id } : {}) });
    this.state.store(parent);
    if (id !== undefined && id !== '' && !METADATA_ID.test(id)) {
      throw invalidArgument(`Invalid metadata_schema_id "${id}": 4 to 128 characters of [a-z0-9-], starting with a letter or digit.`, 'metadata_schema_id');
    }
    const name = `${parent}/metadataSchemas/${id || numericId()}`;
    if (this.state.schemas.has(name)) throw alreadyExists(`MetadataSchema ${name} already exists.`);
    const schema: JsonObject = { name, ...canonical('MetadataSchema', isPlainObject(body) ? body : {}), createTime: this.state.now() };
    await this.state.schemas.put(name, schema);
    return structuredClone(schema);
  }

  get(name: string): JsonObject {
    if (!SCHEMA_NAME.test(name)) throw invalidArgument(`Invalid MetadataSchema name "${name}": expected projects/{project}/locations/{location}/metadataStores/{metadata_store}/metadataSchemas/{metadata_schema}.`, 'name');
    const found = this.state.schemas.get(name);
    if (!found) throw notFound(`MetadataSchema ${name} not found.`);
    return structuredClone(found);
  }

  list(parent: string, params: QueryValues): JsonObject {
    this.state.store(parent);
    const predicate = parseFilter(stringParam(params, 'filter'));
    const schemas = this.state.schemas.values().filter((s) => String(s.name).startsWith(`${parent}/metadataSchemas/`) && predicate(s));
    return pageOfNodes(schemas, params, 'metadataSchemas', ['metadataSchemas', parent]);
  }
}
