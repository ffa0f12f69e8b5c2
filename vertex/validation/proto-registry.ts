// Reads the descriptor the official client itself loads (protos.json in
// @google-cloud/aiplatform) and answers the questions the validator asks: which fields a
// message has, what a field's type resolves to, which field behaviors it carries, and
// which URL templates a request type is sent to.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadSourceFieldBehaviors } from './field-behaviors.js';
import { isRecord } from './issues.js';

export const V1_PACKAGE = 'google.cloud.aiplatform.v1';

const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32',
  'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool', 'string', 'bytes',
]);

export interface FieldInfo {
  readonly name: string;
  readonly typeName: string;
  readonly repeated: boolean;
  /** Set for map fields: the key's scalar type. */
  readonly mapKeyType: string | undefined;
  readonly behaviors: ReadonlySet<string>;
  readonly deprecated: boolean;
  /** The real (non-synthetic) oneof this field belongs to. */
  readonly oneof: string | undefined;
}

export interface MessageInfo {
  readonly kind: 'message';
  readonly fullName: string;
  readonly fields: readonly FieldInfo[];
  readonly fieldsByName: ReadonlyMap<string, FieldInfo>;
  /** Real oneofs only; proto3 `optional` fields get synthetic `_name` oneofs, left out here. */
  readonly oneofs: ReadonlyMap<string, readonly string[]>;
}

export interface EnumInfo {
  readonly kind: 'enum';
  readonly fullName: string;
  readonly values: ReadonlyMap<string, number>;
  readonly numbers: ReadonlySet<number>;
  readonly deprecatedValues: ReadonlySet<string>;
}

export type ResolvedType = { readonly kind: 'scalar'; readonly name: string } | MessageInfo | EnumInfo;

interface ScopeNode {
  readonly fullName: string;
  readonly parent: ScopeNode | undefined;
  readonly children: Map<string, ScopeNode>;
  message?: MessageInfo;
  enumInfo?: EnumInfo;
}

export interface ProtoRegistry {
  /** A message by full name (`google.cloud.aiplatform.v1.X`, `google.protobuf.Struct`) or v1 short name. */
  findMessage(name: string): MessageInfo | undefined;
  /** Names of every message, for "did you mean" on type names. */
  messageNames(): Iterable<string>;
  resolveField(message: MessageInfo, field: FieldInfo): ResolvedType;
  /** HTTP path templates (from google.api.http) of every method taking this request type. */
  httpTemplates(requestFullName: string): readonly string[];
}

const require = createRequire(import.meta.url);

let registry: ProtoRegistry | undefined;

/** Loaded once per process: parsing the descriptor costs ~0.2 s. */
export function getProtoRegistry(): ProtoRegistry {
  registry ??= loadRegistry();
  return registry;
}

function loadRegistry(): ProtoRegistry {
  const jsonPath = require.resolve('@google-cloud/aiplatform/build/protos/protos.json');
  // require(), not a read: each Vertex client module requires this same file, so a process that
  // builds a client parses the (large) descriptor once, whichever comes first. Only read here.
  const json: unknown = require(jsonPath);
  const sourceBehaviors = loadSourceFieldBehaviors(join(dirname(jsonPath), 'google', 'cloud', 'aiplatform', 'v1'));
  const root: ScopeNode = { fullName: '', parent: undefined, children: new Map() };
  const methods: Array<{ service: ScopeNode; requestType: string; templates: string[] }> = [];
  buildScope(root, json, sourceBehaviors, methods);

  const byFullName = new Map<string, ScopeNode>();
  indexScope(root, byFullName);

  const templatesByRequest = new Map<string, string[]>();
  for (const method of methods) {
    const target = lookup(method.service, method.requestType);
    if (target?.message === undefined) continue;
    const list = templatesByRequest.get(target.message.fullName) ?? [];
    list.push(...method.templates);
    templatesByRequest.set(target.message.fullName, list);
  }

  const resolved = new WeakMap<FieldInfo, ResolvedType>();

  return {
    findMessage(name) {
      const trimmed = name.replace(/^\./, '');
      return (byFullName.get(trimmed) ?? byFullName.get(`${V1_PACKAGE}.${trimmed}`))?.message;
    },
    *messageNames() {
      for (const [name, node] of byFullName) if (node.message !== undefined) yield name;
    },
    resolveField(message, field) {
      const cached = resolved.get(field);
      if (cached !== undefined) return cached;
      let result: ResolvedType;
      if (SCALAR_TYPES.has(field.typeName)) {
        result = { kind: 'scalar', name: field.typeName };
      } else {
        const scope = byFullName.get(message.fullName);
        const node = scope === undefined ? undefined : lookup(scope, field.typeName);
        const info = node?.message ?? node?.enumInfo;
        if (info === undefined) {
          throw new Error(`protos.json: cannot resolve type ${field.typeName} of ${message.fullName}.${field.name}`);
        }
        result = info;
      }
      resolved.set(field, result);
      return result;
    },
    httpTemplates(requestFullName) {
      return templatesByRequest.get(requestFullName) ?? [];
    },
  };
}

function buildScope(
  scope: ScopeNode,
  json: unknown,
  sourceBehaviors: ReadonlyMap<string, string[]>,
  methods: Array<{ service: ScopeNode; requestType: string; templates: string[] }>,
): void {
  if (!isRecord(json)) return;
  const nested = json.nested;
  if (!isRecord(nested)) return;
  for (const [name, childJson] of Object.entries(nested)) {
    if (!isRecord(childJson)) continue;
    const fullName = scope.fullName === '' ? name : `${scope.fullName}.${name}`;
    const child: ScopeNode = { fullName, parent: scope, children: new Map() };
    scope.children.set(name, child);
    if (isRecord(childJson.fields)) child.message = buildMessage(fullName, childJson, sourceBehaviors);
    if (isRecord(childJson.values)) child.enumInfo = buildEnum(fullName, childJson);
    if (isRecord(childJson.methods)) {
      for (const method of Object.values(childJson.methods)) {
        if (!isRecord(method) || typeof method.requestType !== 'string') continue;
        methods.push({ service: child, requestType: method.requestType, templates: httpTemplatesOf(method) });
      }
    }
    buildScope(child, childJson, sourceBehaviors, methods);
  }
}

function buildMessage(
  fullName: string,
  json: Record<string, unknown>,
  sourceBehaviors: ReadonlyMap<string, string[]>,
): MessageInfo {
  const oneofOf = new Map<string, string>();
  const oneofs = new Map<string, string[]>();
  if (isRecord(json.oneofs)) {
    for (const [oneofName, oneofJson] of Object.entries(json.oneofs)) {
      const members = isRecord(oneofJson) && Array.isArray(oneofJson.oneof)
        ? oneofJson.oneof.filter((m): m is string => typeof m === 'string')
        : [];
      // proto3 `optional` is encoded as a one-member oneof named `_field`: not a real choice.
      if (oneofName.startsWith('_') && members.length === 1) continue;
      oneofs.set(oneofName, members);
      for (const member of members) oneofOf.set(member, oneofName);
    }
  }
  const fields: FieldInfo[] = [];
  for (const [name, fieldJson] of Object.entries(json.fields as Record<string, unknown>)) {
    if (!isRecord(fieldJson) || typeof fieldJson.type !== 'string') continue;
    const options = isRecord(fieldJson.options) ? fieldJson.options : {};
    const behaviors = new Set<string>(asStrings(options['(google.api.field_behavior)']));
    for (const b of sourceBehaviors.get(`${fullName}.${name}`) ?? []) behaviors.add(b);
    fields.push({
      name,
      typeName: fieldJson.type,
      repeated: fieldJson.rule === 'repeated',
      mapKeyType: typeof fieldJson.keyType === 'string' ? fieldJson.keyType : undefined,
      behaviors,
      deprecated: options.deprecated === true,
      oneof: oneofOf.get(name),
    });
  }
  return {
    kind: 'message',
    fullName,
    fields,
    fieldsByName: new Map(fields.map((f) => [f.name, f])),
    oneofs,
  };
}

function buildEnum(fullName: string, json: Record<string, unknown>): EnumInfo {
  const values = new Map<string, number>();
  for (const [name, number] of Object.entries(json.values as Record<string, unknown>)) {
    if (typeof number === 'number') values.set(name, number);
  }
  const deprecatedValues = new Set<string>();
  if (isRecord(json.valuesOptions)) {
    for (const [name, options] of Object.entries(json.valuesOptions)) {
      if (isRecord(options) && options.deprecated === true) deprecatedValues.add(name);
    }
  }
  return { kind: 'enum', fullName, values, numbers: new Set(values.values()), deprecatedValues };
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function httpTemplatesOf(method: Record<string, unknown>): string[] {
  const templates: string[] = [];
  const addRule = (rule: unknown): void => {
    if (!isRecord(rule)) return;
    for (const verb of HTTP_VERBS) {
      const path = rule[verb];
      if (typeof path === 'string') templates.push(path);
    }
    const extra = rule.additional_bindings;
    for (const binding of Array.isArray(extra) ? extra : [extra]) addRule(binding);
  };
  if (Array.isArray(method.parsedOptions)) {
    for (const option of method.parsedOptions) {
      if (isRecord(option)) addRule(option['(google.api.http)']);
    }
  } else if (isRecord(method.options)) {
    const flat = method.options;
    for (const verb of HTTP_VERBS) {
      const path = flat[`(google.api.http).${verb}`];
      if (typeof path === 'string') templates.push(path);
    }
  }
  return templates;
}

function asStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function indexScope(scope: ScopeNode, out: Map<string, ScopeNode>): void {
  for (const child of scope.children.values()) {
    out.set(child.fullName, child);
    indexScope(child, out);
  }
}

/** Protobuf name resolution: a relative name is looked up from the innermost scope outwards. */
function lookup(from: ScopeNode, typeName: string): ScopeNode | undefined {
  const segments = typeName.replace(/^\./, '').split('.');
  if (typeName.startsWith('.')) {
    let root = from;
    while (root.parent !== undefined) root = root.parent;
    return descend(root, segments);
  }
  for (let scope: ScopeNode | undefined = from; scope !== undefined; scope = scope.parent) {
    const found = descend(scope, segments);
    if (found !== undefined) return found;
  }
  return undefined;
}

function descend(scope: ScopeNode, segments: readonly string[]): ScopeNode | undefined {
  let node: ScopeNode | undefined = scope;
  for (const segment of segments) {
    node = node?.children.get(segment);
    if (node === undefined) return undefined;
  }
  return node;
}
