// Content types for files written straight into the data directory, from the file extension:
// the types an ML project's artifacts use. Unknown extensions fall back to Cloud Storage's default.

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const BY_EXTENSION: Record<string, string> = {
  avro: 'application/avro',
  bin: 'application/octet-stream',
  bz2: 'application/x-bzip2',
  csv: 'text/csv',
  gif: 'image/gif',
  gz: 'application/gzip',
  h5: 'application/x-hdf5',
  htm: 'text/html',
  html: 'text/html',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  js: 'text/javascript',
  json: 'application/json',
  jsonl: 'application/jsonl',
  md: 'text/markdown',
  ndjson: 'application/x-ndjson',
  npy: 'application/octet-stream',
  parquet: 'application/vnd.apache.parquet',
  pb: 'application/octet-stream',
  pdf: 'application/pdf',
  pkl: 'application/octet-stream',
  png: 'image/png',
  py: 'text/x-python',
  svg: 'image/svg+xml',
  tar: 'application/x-tar',
  tfrecord: 'application/octet-stream',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  zip: 'application/zip',
};

export function contentTypeForName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
