// Compares a compiled PipelineSpec with a golden YAML compiled by KFP's Python SDK, following
// "How to compare" in shared/reference/kfp-ir/FORMAT.md:
// - the comment header, `sdkVersion` and `defaultPipelineRoot` are ignored;
// - numbers compare numerically (`3` ≡ `3.0`), everything else by type and value;
// - `command` / `args` / `image` of executors that are lightweight Python components IN THE
//   GOLDEN are masked (they are Python-toolchain output); everything else of them is compared;
// - `schemaVersion` of `google.*` artifact types is ignored (environment-specific);
// - JSON-in-string fields (Concat/IfPresent items, `items.raw`) are plain strings and so compare
//   byte for byte, as Python's `json.dumps` wrote them;
// - lists are order-sensitive.
import { parseAllDocuments } from 'yaml';
import type { JsonValue } from '../../pipelines/ir/index.js';

export type Json = JsonValue;

export interface NormalizeOptions {
  /** Executor keys (`exec-...`) whose container command/args/image are masked. */
  goldenLightweightExecutors: Iterable<string>;
}

export interface CompareOptions {
  /** Stop after this many differences (default 20). */
  maxDifferences?: number;
}

const DEFAULT_MAX_DIFFERENCES = 20;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy as plain JSON; `undefined` members vanish as they would when serialized. */
function toJson(value: unknown, path: string): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path}: not a finite number: ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${path}[${i}]`));
  if (isObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJson(v, childPath(path, k));
    }
    return out;
  }
  throw new Error(`${path}: not JSON data (${typeof value})`);
}

function executorsOf(spec: Json): { [key: string]: Json } | undefined {
  if (!isObject(spec)) return undefined;
  const deployment = spec['deploymentSpec'];
  if (!isObject(deployment)) return undefined;
  const executors = deployment['executors'];
  return isObject(executors) ? (executors) : undefined;
}

function stringsOf(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Executors that are KFP lightweight Python components: their command runs
 * `kfp.dsl.executor_main`, or their args are `--executor_input {{$}} --function_to_execute <fn>`.
 */
export function lightweightExecutors(spec: unknown): string[] {
  const executors = executorsOf(toJson(spec, '$'));
  if (!executors) return [];
  const found: string[] = [];
  for (const [key, executor] of Object.entries(executors)) {
    if (!isObject(executor)) continue;
    const container = executor['container'];
    if (!isObject(container)) continue;
    const command = stringsOf(container['command']);
    const args = stringsOf(container['args']);
    const runsExecutorMain = command.some((c) => c.includes('kfp.dsl.executor_main'));
    const hasExecutorArgs = args.includes('--executor_input') && args.includes('--function_to_execute');
    if (runsExecutorMain || hasExecutorArgs) found.push(key);
  }
  return found;
}

/** Drop `schemaVersion` next to any `schemaTitle: google.*` (artifactType, importer typeSchema). */
function dropGoogleSchemaVersions(value: Json): void {
  if (Array.isArray(value)) {
    value.forEach(dropGoogleSchemaVersions);
  } else if (isObject(value)) {
    const title = value['schemaTitle'];
    if (typeof title === 'string' && title.startsWith('google.')) delete value['schemaVersion'];
    Object.values(value).forEach(dropGoogleSchemaVersions);
  }
}

/** The spec as it takes part in the comparison (a normalized deep copy; the input is not changed). */
export function normalizeForComparison(spec: unknown, options: NormalizeOptions): Json {
  const normalized = toJson(spec, '$');
  if (!isObject(normalized)) throw new Error('a PipelineSpec must be an object');
  delete normalized['sdkVersion'];
  delete normalized['defaultPipelineRoot'];
  const executors = executorsOf(normalized);
  if (executors) {
    for (const key of options.goldenLightweightExecutors) {
      const executor = executors[key];
      const container = isObject(executor) ? executor['container'] : undefined;
      if (isObject(container)) {
        delete container['command'];
        delete container['args'];
        delete container['image'];
      }
    }
  }
  dropGoogleSchemaVersions(normalized);
  return normalized;
}

/** Parse a golden file (PyYAML output, hence YAML 1.1); the comment header is skipped. */
export function parseGolden(yamlText: string): Json {
  const documents = parseAllDocuments(yamlText, { version: '1.1' });
  const [first, ...rest] = documents;
  if (!first) throw new Error('golden YAML holds no document');
  if (rest.length > 0) {
    throw new Error(`golden YAML holds ${documents.length} documents (a PlatformSpec?); only a PipelineSpec is supported`);
  }
  if (first.errors.length > 0) {
    throw new Error(`golden YAML does not parse: ${first.errors.map((e) => e.message).join('; ')}`);
  }
  return toJson(first.toJS({ maxAliasCount: -1 }), '$');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function show(value: Json | undefined): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 240)}…(${text.length} chars)` : text;
}

function kindOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'map' : typeof value;
}

function parsesAsJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/** Where two strings first differ, for long strings. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 20);
  return `first difference at char ${i}: expected …${JSON.stringify(a.slice(from, i + 40))}, actual …${JSON.stringify(b.slice(from, i + 40))}`;
}

class DiffCollector {
  private readonly lines: string[] = [];
  private omitted = 0;

  constructor(private readonly max: number) {}

  add(line: string): void {
    if (this.lines.length >= this.max) this.omitted++;
    else this.lines.push(line);
  }

  result(): string[] {
    return this.omitted > 0 ? [...this.lines, `… and ${this.omitted} more difference(s) not shown`] : [...this.lines];
  }
}

function diffValues(expected: Json, actual: Json, path: string, out: DiffCollector): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (expected !== actual) out.add(`${path}: expected ${show(expected)}, actual ${show(actual)}`);
    return;
  }
  const expectedKind = kindOf(expected);
  const actualKind = kindOf(actual);
  if (expectedKind !== actualKind) {
    out.add(`${path}: expected ${expectedKind} ${show(expected)}, actual ${actualKind} ${show(actual)}`);
    return;
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (expected === actual) return;
    let note = '';
    if (parsesAsJson(expected) && parsesAsJson(actual)) {
      const same = JSON.stringify(JSON.parse(expected)) === JSON.stringify(JSON.parse(actual));
      note = same ? ' (same JSON value, different text: json.dumps formatting/key order)' : ' (JSON text)';
    }
    const detail = expected.length > 80 || actual.length > 80 ? `; ${firstDifference(expected, actual)}` : '';
    out.add(`${path}: expected ${show(expected)}, actual ${show(actual)}${note}${detail}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.add(`${path}: expected a list of ${expected.length}, actual a list of ${actual.length}`);
    }
    const shared = Math.min(expected.length, actual.length);
    for (let i = 0; i < shared; i++) diffValues(expected[i]!, actual[i]!, `${path}[${i}]`, out);
    for (let i = shared; i < expected.length; i++) out.add(`${path}[${i}]: missing in actual, expected ${show(expected[i])}`);
    for (let i = shared; i < actual.length; i++) out.add(`${path}[${i}]: unexpected in actual ${show(actual[i])}`);
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      const e = expected[key];
      const a = actual[key];
      const at = childPath(path, key);
      if (a === undefined) out.add(`${at}: missing in actual, expected ${show(e)}`);
      else if (e === undefined) out.add(`${at}: unexpected in actual ${show(a)}`);
      else diffValues(e, a, at, out);
    }
    return;
  }
  if (expected !== actual) out.add(`${path}: expected ${show(expected)}, actual ${show(actual)}`);
}

/** Differences between two already-normalized values (paths start at `$`). */
export function diffJson(expected: Json, actual: Json, options: CompareOptions = {}): string[] {
  const out = new DiffCollector(options.maxDifferences ?? DEFAULT_MAX_DIFFERENCES);
  diffValues(expected, actual, '$', out);
  return out.result();
}

/**
 * Human-readable differences between a compiled spec and a golden YAML text, each
 * `<json path>: expected ..., actual ...`; empty when they are equal under FORMAT.md's rules.
 */
export function compareWithGolden(actual: unknown, goldenYamlText: string, options: CompareOptions = {}): string[] {
  const golden = parseGolden(goldenYamlText);
  const goldenLightweightExecutors = lightweightExecutors(golden);
  const expectedNormalized = normalizeForComparison(golden, { goldenLightweightExecutors });
  const actualNormalized = normalizeForComparison(actual, { goldenLightweightExecutors });
  return diffJson(expectedNormalized, actualNormalized, options);
}
