// Request bodies of the BigQuery v2 REST API, strict: every field the API defines is accepted
// (output-only ones are ignored, as BigQuery ignores them on insert), anything else is a 400.
// Field lists follow the API's discovery document (the client's `types.d.ts`).
import { z } from 'zod';
import { SchemaInput } from './table-schema.js';

const INT64_MAX = 2n ** 63n - 1n;
const Int64 = z.union([z.string().regex(/^-?\d{1,19}$/, 'expected an int64').refine((v) => BigInt(v) <= INT64_MAX && BigInt(v) >= -INT64_MAX - 1n, 'expected an int64'), z.number().int()]);
/** uint32 fields (maxResults, timeoutMs): JSON numbers within 0..4294967295. */
const UInt32 = z.number().int().nonnegative().max(2 ** 32 - 1);
const Labels = z.record(z.string(), z.string());
const Opaque = z.unknown().optional();

const DatasetReference = z.object({ datasetId: z.string(), projectId: z.string().optional() }).strict();
const TableReference = z.object({ projectId: z.string().optional(), datasetId: z.string().optional(), tableId: z.string().optional() }).strict();
const JobReference = z.object({ projectId: z.string().optional(), jobId: z.string().optional(), location: z.string().optional() }).strict();

/** One entry of a dataset's `access` list (the Dataset resource's Access message). */
const AccessEntry = z
  .object({
    role: z.string().optional(),
    userByEmail: z.string().optional(),
    groupByEmail: z.string().optional(),
    domain: z.string().optional(),
    specialGroup: z.string().optional(),
    iamMember: z.string().optional(),
    view: TableReference.optional(),
    routine: z.object({ projectId: z.string().optional(), datasetId: z.string().optional(), routineId: z.string().optional() }).strict().optional(),
    dataset: z.object({ dataset: DatasetReference, targetTypes: z.array(z.string()).optional() }).strict().optional(),
    condition: z.object({ expression: z.string().optional(), title: z.string().optional(), description: z.string().optional(), location: z.string().optional() }).strict().optional(),
  })
  .strict();

// Keys the official Node client leaves in bodies it sends (dataset.create() copies the project ID
// into the Dataset; query() leaves its own reading options in configuration.query). BigQuery
// accepts those requests, so they are accepted here and ignored; any other unknown key is a 400.
export const DatasetBody = z
  .object({
    projectId: Opaque, // client leak
    access: z.array(AccessEntry).optional(),
    catalogSource: Opaque,
    creationTime: Opaque,
    datasetReference: DatasetReference.optional(),
    defaultCollation: z.string().optional(),
    defaultEncryptionConfiguration: Opaque,
    defaultPartitionExpirationMs: Int64.optional(),
    defaultRoundingMode: z.string().optional(),
    defaultTableExpirationMs: Int64.optional(),
    description: z.string().optional(),
    etag: Opaque,
    externalCatalogDatasetOptions: Opaque,
    externalDatasetReference: Opaque,
    friendlyName: z.string().optional(),
    id: Opaque,
    isCaseInsensitive: z.boolean().optional(),
    kind: Opaque,
    labels: Labels.optional(),
    lastModifiedTime: Opaque,
    linkedDatasetMetadata: Opaque,
    linkedDatasetSource: Opaque,
    location: z.string().optional(),
    maxTimeTravelHours: Int64.optional(),
    resourceTags: Opaque,
    restrictions: Opaque,
    satisfiesPzi: Opaque,
    satisfiesPzs: Opaque,
    selfLink: Opaque,
    storageBillingModel: z.string().optional(),
    tags: Opaque,
    type: Opaque,
  })
  .strict();
export type DatasetBody = z.infer<typeof DatasetBody>;

const ViewDefinition = z
  .object({
    query: z.string(),
    useLegacySql: z.boolean().optional(),
    userDefinedFunctionResources: z.array(z.unknown()).optional(),
    useExplicitColumnNames: z.boolean().optional(),
    foreignDefinitions: Opaque,
    privacyPolicy: Opaque,
  })
  .strict();

const TimePartitioning = z.object({ type: z.string().optional(), field: z.string().optional(), expirationMs: Int64.optional(), requirePartitionFilter: z.boolean().optional() }).strict();
const Clustering = z.object({ fields: z.array(z.string()).optional() }).strict();

export const TableBody = z
  .object({
    biglakeConfiguration: Opaque,
    cloneDefinition: Opaque,
    clustering: Clustering.optional(),
    creationTime: Opaque,
    defaultCollation: z.string().optional(),
    defaultRoundingMode: z.string().optional(),
    description: z.string().optional(),
    encryptionConfiguration: Opaque,
    etag: Opaque,
    expirationTime: Int64.optional(),
    externalCatalogTableOptions: Opaque,
    externalDataConfiguration: Opaque,
    friendlyName: z.string().optional(),
    id: Opaque,
    kind: Opaque,
    labels: Labels.optional(),
    lastModifiedTime: Opaque,
    location: Opaque,
    managedTableType: Opaque,
    materializedView: Opaque,
    materializedViewStatus: Opaque,
    maxStaleness: Opaque,
    model: Opaque,
    numActiveLogicalBytes: Opaque,
    numActivePhysicalBytes: Opaque,
    numBytes: Opaque,
    numCurrentPhysicalBytes: Opaque,
    numLongTermBytes: Opaque,
    numLongTermLogicalBytes: Opaque,
    numLongTermPhysicalBytes: Opaque,
    numPartitions: Opaque,
    numPhysicalBytes: Opaque,
    numRows: Opaque,
    numTimeTravelPhysicalBytes: Opaque,
    numTotalLogicalBytes: Opaque,
    numTotalPhysicalBytes: Opaque,
    partitionDefinition: Opaque,
    rangePartitioning: Opaque,
    replicas: Opaque,
    requirePartitionFilter: z.boolean().optional(),
    resourceTags: Opaque,
    restrictions: Opaque,
    schema: SchemaInput.optional(),
    selfLink: Opaque,
    snapshotDefinition: Opaque,
    streamingBuffer: Opaque,
    tableConstraints: Opaque,
    tableReference: TableReference.optional(),
    tableReplicationInfo: Opaque,
    timePartitioning: TimePartitioning.optional(),
    type: z.string().optional(),
    view: ViewDefinition.optional(),
  })
  .strict();
export type TableBody = z.infer<typeof TableBody>;

// ---- query parameters -------------------------------------------------------------------------

export interface QueryParameterType {
  type: string;
  arrayType?: QueryParameterType | undefined;
  structTypes?: { name?: string | undefined; type: QueryParameterType; description?: string | undefined }[] | undefined;
  rangeElementType?: QueryParameterType | undefined;
  timestampPrecision?: string | number | undefined;
}

export interface QueryParameterValue {
  value?: string | number | boolean | null | undefined;
  arrayValues?: QueryParameterValue[] | undefined;
  structValues?: Record<string, QueryParameterValue> | undefined;
  rangeValue?: unknown;
}

const QueryParameterTypeSchema: z.ZodType<QueryParameterType> = z.lazy(() =>
  z
    .object({
      type: z.string(),
      arrayType: QueryParameterTypeSchema.optional(),
      structTypes: z.array(z.object({ name: z.string().optional(), type: QueryParameterTypeSchema, description: z.string().optional() }).strict()).optional(),
      rangeElementType: QueryParameterTypeSchema.optional(),
      timestampPrecision: z.union([z.string(), z.number()]).optional(),
    })
    .strict(),
);

// The Node client sends numbers and booleans for `value`, which BigQuery accepts.
const QueryParameterValueSchema: z.ZodType<QueryParameterValue> = z.lazy(() =>
  z
    .object({
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      arrayValues: z.array(QueryParameterValueSchema).optional(),
      structValues: z.record(z.string(), QueryParameterValueSchema).optional(),
      rangeValue: z.unknown().optional(),
    })
    .strict(),
);

export const QueryParameter = z.object({ name: z.string().optional(), parameterType: QueryParameterTypeSchema, parameterValue: QueryParameterValueSchema.optional() }).strict();
export type QueryParameter = z.infer<typeof QueryParameter>;

// ---- jobs -----------------------------------------------------------------------------------

const WriteDisposition = z.enum(['WRITE_TRUNCATE', 'WRITE_APPEND', 'WRITE_EMPTY', 'WRITE_TRUNCATE_DATA']);
const CreateDisposition = z.enum(['CREATE_IF_NEEDED', 'CREATE_NEVER']);
const ConnectionProperty = z.object({ key: z.string(), value: z.string() }).strict();

export const QueryConfig = z
  .object({
    allowLargeResults: z.boolean().optional(),
    clustering: Clustering.optional(),
    connectionProperties: z.array(ConnectionProperty).optional(),
    continuous: z.boolean().optional(),
    createDisposition: CreateDisposition.optional(),
    createSession: z.boolean().optional(),
    defaultDataset: DatasetReference.optional(),
    destinationEncryptionConfiguration: Opaque,
    destinationTable: TableReference.optional(),
    flattenResults: z.boolean().optional(),
    maximumBillingTier: z.number().optional(),
    maximumBytesBilled: Int64.optional(),
    parameterMode: z.enum(['NAMED', 'POSITIONAL', 'named', 'positional']).optional(),
    preserveNulls: z.boolean().optional(),
    priority: z.enum(['INTERACTIVE', 'BATCH']).optional(),
    query: z.string(),
    queryParameters: z.array(QueryParameter).optional(),
    rangePartitioning: Opaque,
    schemaUpdateOptions: z.array(z.string()).optional(),
    scriptOptions: Opaque,
    secureContext: Opaque,
    systemVariables: Opaque,
    tableDefinitions: Opaque,
    timePartitioning: TimePartitioning.optional(),
    useLegacySql: z.boolean().optional(),
    useQueryCache: z.boolean().optional(),
    userDefinedFunctionResources: z.array(z.unknown()).optional(),
    writeDisposition: WriteDisposition.optional(),
    writeIncrementalResults: z.boolean().optional(),
    // client leaks (see DatasetBody)
    types: Opaque,
    wrapIntegers: Opaque,
    parseJSON: Opaque,
  })
  .strict();
export type QueryConfig = z.infer<typeof QueryConfig>;

export const LoadConfig = z
  .object({
    allowJaggedRows: z.boolean().optional(),
    allowQuotedNewlines: z.boolean().optional(),
    autodetect: z.boolean().optional(),
    clustering: Clustering.optional(),
    columnNameCharacterMap: z.string().optional(),
    connectionProperties: z.array(ConnectionProperty).optional(),
    copyFilesOnly: z.boolean().optional(),
    createDisposition: CreateDisposition.optional(),
    createSession: z.boolean().optional(),
    dateFormat: z.string().optional(),
    datetimeFormat: z.string().optional(),
    decimalTargetTypes: z.array(z.string()).optional(),
    destinationEncryptionConfiguration: Opaque,
    destinationTable: TableReference,
    destinationTableProperties: z.object({ description: z.string().optional(), expirationTime: Int64.optional(), friendlyName: z.string().optional(), labels: Labels.optional() }).strict().optional(),
    encoding: z.string().optional(),
    fieldDelimiter: z.string().optional(),
    fileSetSpecType: z.string().optional(),
    hivePartitioningOptions: Opaque,
    ignoreUnknownValues: z.boolean().optional(),
    jsonExtension: z.string().optional(),
    maxBadRecords: z.number().int().nonnegative().optional(),
    nullMarker: z.string().optional(),
    nullMarkers: z.array(z.string()).optional(),
    parquetOptions: Opaque,
    preserveAsciiControlCharacters: z.boolean().optional(),
    projectionFields: z.array(z.string()).optional(),
    quote: z.string().optional(),
    rangePartitioning: Opaque,
    referenceFileSchemaUri: z.string().optional(),
    schema: SchemaInput.optional(),
    schemaInline: z.string().optional(),
    schemaInlineFormat: z.string().optional(),
    schemaUpdateOptions: z.array(z.string()).optional(),
    skipLeadingRows: z.number().int().nonnegative().optional(),
    sourceColumnMatch: z.string().optional(),
    sourceFormat: z.string().optional(),
    sourceUris: z.array(z.string()).min(1),
    timeFormat: z.string().optional(),
    timePartitioning: TimePartitioning.optional(),
    timeZone: z.string().optional(),
    timestampFormat: z.string().optional(),
    timestampTargetPrecision: z.array(z.number()).optional(),
    useAvroLogicalTypes: z.boolean().optional(),
    writeDisposition: WriteDisposition.optional(),
  })
  .strict();
export type LoadConfig = z.infer<typeof LoadConfig>;

export const ExtractConfig = z
  .object({
    compression: z.string().optional(),
    destinationFormat: z.string().optional(),
    destinationUri: z.string().optional(),
    destinationUris: z.array(z.string()).optional(),
    fieldDelimiter: z.string().optional(),
    modelExtractOptions: Opaque,
    nativeGeographyExportEnabled: z.boolean().optional(),
    printHeader: z.boolean().optional(),
    sourceModel: Opaque,
    sourceTable: TableReference.optional(),
    useAvroLogicalTypes: z.boolean().optional(),
  })
  .strict();
export type ExtractConfig = z.infer<typeof ExtractConfig>;

export const CopyConfig = z
  .object({
    createDisposition: CreateDisposition.optional(),
    destinationEncryptionConfiguration: Opaque,
    destinationExpirationTime: Opaque,
    destinationTable: TableReference,
    operationType: z.string().optional(),
    sourceTable: TableReference.optional(),
    sourceTables: z.array(TableReference).optional(),
    writeDisposition: WriteDisposition.optional(),
  })
  .strict();
export type CopyConfig = z.infer<typeof CopyConfig>;

export const JobConfiguration = z
  .object({
    copy: CopyConfig.optional(),
    dryRun: z.boolean().optional(),
    extract: ExtractConfig.optional(),
    jobTimeoutMs: Int64.optional(),
    jobType: z.string().optional(),
    labels: Labels.optional(),
    load: LoadConfig.optional(),
    maxSlots: z.number().optional(),
    query: QueryConfig.optional(),
    reservation: z.string().optional(),
  })
  .strict();
export type JobConfiguration = z.infer<typeof JobConfiguration>;

export const JobBody = z
  .object({
    configuration: JobConfiguration,
    etag: Opaque,
    id: Opaque,
    jobCreationReason: Opaque,
    jobReference: JobReference.optional(),
    kind: Opaque,
    principal_subject: Opaque,
    selfLink: Opaque,
    statistics: Opaque,
    status: Opaque,
    user_email: Opaque,
  })
  .strict();
export type JobBody = z.infer<typeof JobBody>;

const DataFormatOptions = z.object({ useInt64Timestamp: z.boolean().optional(), timestampOutputFormat: z.string().optional() }).strict();

export const QueryRequest = z
  .object({
    arrowSerializationOptions: Opaque,
    connectionProperties: z.array(ConnectionProperty).optional(),
    continuous: z.boolean().optional(),
    createSession: z.boolean().optional(),
    defaultDataset: DatasetReference.optional(),
    destinationEncryptionConfiguration: Opaque,
    dryRun: z.boolean().optional(),
    formatOptions: DataFormatOptions.optional(),
    jobCreationMode: z.string().optional(),
    jobTimeoutMs: Int64.optional(),
    kind: Opaque,
    labels: Labels.optional(),
    location: z.string().optional(),
    maxResults: UInt32.optional(),
    maxSlots: z.number().optional(),
    maximumBytesBilled: Int64.optional(),
    parameterMode: z.enum(['NAMED', 'POSITIONAL', 'named', 'positional']).optional(),
    preserveNulls: z.boolean().optional(),
    query: z.string(),
    queryParameters: z.array(QueryParameter).optional(),
    queryResultsFormat: z.string().optional(),
    requestId: z.string().optional(),
    reservation: z.string().optional(),
    secureContext: Opaque,
    timeoutMs: UInt32.optional(),
    useLegacySql: z.boolean().optional(),
    useQueryCache: z.boolean().optional(),
    writeIncrementalResults: z.boolean().optional(),
  })
  .strict();
export type QueryRequest = z.infer<typeof QueryRequest>;

export const InsertAllRequest = z
  .object({
    kind: Opaque,
    ignoreUnknownValues: z.boolean().optional(),
    skipInvalidRows: z.boolean().optional(),
    templateSuffix: z.string().optional(),
    traceId: z.string().optional(),
    rows: z.array(z.object({ insertId: z.string().optional(), json: z.record(z.string(), z.unknown()) }).strict()),
  })
  .strict();
export type InsertAllRequest = z.infer<typeof InsertAllRequest>;
