// Strict check of a request object against the Vertex AI v1 protos, walking the
// descriptor ourselves: protobufjs' own fromObject/verify silently drop unknown keys,
// coerce wrong scalar types and encode plain objects given as Struct/Value as empty.
import type { IssueCode, ValidationIssue } from './issues.js';
import { describeValue, formatIssue, indexPath, isMessageObject, joinPath, mapKeyPath } from './issues.js';
import { ruleProblems } from './field-rules.js';
import { bindingProblems, parseTemplate } from './http-bindings.js';
import type { EnumInfo, FieldInfo, MessageInfo, ProtoRegistry } from './proto-registry.js';
import { getProtoRegistry, V1_PACKAGE } from './proto-registry.js';
import { mapKeyProblem, scalarProblem } from './scalars.js';
import { camelToSnake, closestName, didYouMean, snakeToCamel } from '../../common/suggest.js';
import { wellKnownChecker } from './well-known-types.js';

export type { IssueCode, ValidationIssue } from './issues.js';
export { formatIssue } from './issues.js';

export class ProtoValidationError extends Error {
  constructor(
    readonly typeName: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`Invalid ${typeName} (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ProtoValidationError';
  }
}

interface Context {
  readonly registry: ProtoRegistry;
  readonly issues: ValidationIssue[];
  /** Field paths that form the request URL: allowed even when OUTPUT_ONLY. */
  readonly urlFieldPaths: ReadonlySet<string>;
  /** With an update mask only masked fields matter, so the resource's own REQUIRED fields may be absent. */
  readonly partialResourcePath: string | undefined;
}

/** The message for `CreateCustomJobRequest` or `google.cloud.aiplatform.v1.CreateCustomJobRequest`; throws if unknown. */
export function resolveMessageType(typeName: string): MessageInfo {
  const registry = getProtoRegistry();
  const info = registry.findMessage(typeName);
  if (info !== undefined) return info;
  const shortNames = [...registry.messageNames()]
    .filter((n) => n.startsWith(`${V1_PACKAGE}.`))
    .map((n) => n.slice(V1_PACKAGE.length + 1));
  throw new Error(`Unknown message type ${typeName}${didYouMean(typeName.replace(/^.*\./, ''), shortNames)}`);
}

// Parsed once per request type: the emulator validates every request it serves.
const bindingsByType = new Map<string, ReturnType<typeof parseTemplate>[]>();

/** Every problem in `value` as an instance of `typeName` (errors and warnings). */
export function validateRequest(typeName: string, value: unknown): ValidationIssue[] {
  const registry = getProtoRegistry();
  const message = resolveMessageType(typeName);
  let bindings = bindingsByType.get(message.fullName);
  if (!bindings) {
    bindings = registry.httpTemplates(message.fullName).map(parseTemplate);
    bindingsByType.set(message.fullName, bindings);
  }
  const context: Context = {
    registry,
    issues: [],
    urlFieldPaths: new Set(bindings.flatMap((b) => b.variables.map((v) => v.fieldPath))),
    partialResourcePath: updateTarget(registry, message)?.field.name,
  };
  checkMessage(message, value, '', context);
  if (isMessageObject(value)) {
    for (const problem of bindingProblems(bindings, value)) {
      const patterns = problem.patterns.map((p) => `\`${p}\``).join(' or ');
      const alreadyRequired = context.issues.some((i) => i.path === problem.fieldPath && i.code === 'required');
      if (problem.kind === 'missing' && !alreadyRequired) {
        report(context, problem.fieldPath, 'required', `missing; it forms the request URL (${patterns})`);
      } else if (problem.kind === 'mismatch') {
        report(context, problem.fieldPath, 'resource-name', `expected a resource name matching ${patterns}, got ${JSON.stringify(problem.value)}`);
      }
    }
    checkUpdateMask(message, value, context);
  }
  return context.issues;
}

/** Throws a ProtoValidationError listing every error (warnings do not throw). */
export function assertValidRequest(typeName: string, value: unknown): void {
  const errors = validateRequest(typeName, value).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new ProtoValidationError(resolveMessageType(typeName).fullName, errors);
}

function report(context: Context, path: string, code: IssueCode, message: string, severity: 'error' | 'warning' = 'error'): void {
  context.issues.push({ path, code, message, severity });
}

function checkMessage(message: MessageInfo, value: unknown, path: string, context: Context): void {
  const wellKnown = wellKnownChecker(message.fullName);
  if (wellKnown !== undefined) {
    wellKnown(value, path, (p, code, text) => report(context, p, code, text));
    return;
  }
  if (!isMessageObject(value)) {
    report(context, path, 'type', `expected ${message.fullName} object, got ${describeValue(value)}`);
    return;
  }
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = message.fieldsByName.get(key);
    if (field === undefined) {
      if (!isOneofDiscriminator(message, key, fieldValue, value)) {
        report(context, joinPath(path, key), 'unknown-field',
          `unknown field \`${key}\` in ${message.fullName} (protobufjs would drop it silently)${didYouMean(key, message.fieldsByName.keys())}`);
      }
      continue;
    }
    if (fieldValue === undefined || fieldValue === null) continue;
    checkField(message, field, fieldValue, joinPath(path, key), context);
  }
  for (const [oneofName, members] of message.oneofs) {
    const set = members.filter((m) => value[m] !== undefined && value[m] !== null);
    if (set.length > 1) {
      report(context, path, 'oneof', `at most one of ${members.map((m) => `\`${m}\``).join(', ')} (oneof ${oneofName}) may be set, got ${set.join(' and ')}`);
    }
  }
  for (const { field, problem } of ruleProblems(message.fullName, value, path)) {
    const at = joinPath(path, field);
    // A value of the wrong type has been reported already; its limit means nothing.
    if (!context.issues.some((i) => i.path === at || i.path.startsWith(`${at}.`) || i.path.startsWith(`${at}[`))) report(context, at, 'limit', problem);
  }
  // Only the resource's own fields are relaxed: a sub-message that is sent replaces the
  // stored one as a whole, so it must still be complete.
  const partialResource = context.partialResourcePath !== undefined && path === context.partialResourcePath;
  for (const field of message.fields) {
    if (partialResource || !field.behaviors.has('REQUIRED') || field.oneof !== undefined) continue;
    if (isUnset(context.registry, message, field, value[field.name])) {
      report(context, joinPath(path, field.name), 'required', 'missing required field');
    }
  }
}

/** protobufjs objects may carry the oneof's virtual name, e.g. `kind: 'structValue'`. */
function isOneofDiscriminator(message: MessageInfo, key: string, fieldValue: unknown, object: Record<string, unknown>): boolean {
  const members = message.oneofs.get(key);
  return members !== undefined && typeof fieldValue === 'string' && members.includes(fieldValue)
    && object[fieldValue] !== undefined && object[fieldValue] !== null;
}

/**
 * Proto3 sends no default values, so an empty string, an empty list or an enum's 0
 * (`*_UNSPECIFIED`) reach the server as "not set". Numbers and booleans are left alone:
 * 0 and false are legitimate values of a required field (e.g. `minValue: 0`).
 */
function isUnset(registry: ProtoRegistry, message: MessageInfo, field: FieldInfo, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (field.repeated) return Array.isArray(value) && value.length === 0;
  if (field.mapKeyType !== undefined) return isMessageObject(value) && Object.keys(value).length === 0;
  const type = registry.resolveField(message, field);
  if (type.kind === 'enum') return value === 0 || (typeof value === 'string' && type.values.get(value) === 0);
  return type.kind === 'scalar' && value === '';
}

function checkField(owner: MessageInfo, field: FieldInfo, value: unknown, path: string, context: Context): void {
  if (field.behaviors.has('OUTPUT_ONLY') && !context.urlFieldPaths.has(path)) {
    report(context, path, 'output-only', 'is OUTPUT_ONLY: the server sets it and ignores or rejects a value sent by the caller; remove it');
  }
  if (field.deprecated) report(context, path, 'deprecated', 'field is deprecated', 'warning');
  if (field.mapKeyType !== undefined) {
    if (!isMessageObject(value)) {
      report(context, path, 'type', `expected map (object), got ${describeValue(value)}`);
      return;
    }
    for (const [key, entry] of Object.entries(value)) {
      const entryPath = mapKeyPath(path, key);
      const keyProblem = mapKeyProblem(field.mapKeyType, key);
      if (keyProblem !== undefined) report(context, entryPath, keyProblem.code, keyProblem.message);
      if (entry === undefined || entry === null) {
        report(context, entryPath, 'type', `map value is ${describeValue(entry)}`);
        continue;
      }
      checkSingle(owner, field, entry, entryPath, context);
    }
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      report(context, path, 'type', `expected array (repeated ${field.typeName}), got ${describeValue(value)}`);
      return;
    }
    value.forEach((entry: unknown, i) => {
      if (entry === undefined || entry === null) report(context, indexPath(path, i), 'type', `repeated element is ${describeValue(entry)}`);
      else checkSingle(owner, field, entry, indexPath(path, i), context);
    });
    return;
  }
  checkSingle(owner, field, value, path, context);
}

function checkSingle(owner: MessageInfo, field: FieldInfo, value: unknown, path: string, context: Context): void {
  const type = context.registry.resolveField(owner, field);
  if (type.kind === 'scalar') {
    const problem = scalarProblem(type.name, value);
    if (problem !== undefined) report(context, path, problem.code, problem.message);
  } else if (type.kind === 'enum') {
    checkEnum(type, value, path, context);
  } else {
    checkMessage(type, value, path, context);
  }
}

function checkEnum(info: EnumInfo, value: unknown, path: string, context: Context): void {
  const enumName = info.fullName.replace(/^.*\./, '');
  if (typeof value === 'string') {
    if (!info.values.has(value)) {
      report(context, path, 'enum', `unknown ${enumName} value ${JSON.stringify(value)}${didYouMean(value, info.values.keys())}`);
    } else if (info.deprecatedValues.has(value)) {
      report(context, path, 'deprecated', `${enumName} value ${value} is deprecated`, 'warning');
    }
    return;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (!info.numbers.has(value)) report(context, path, 'enum', `${value} is not a valid ${enumName} number`);
    return;
  }
  report(context, path, 'type', `expected ${enumName} name (string) or number, got ${describeValue(value)}`);
}

/**
 * `updateMask.paths` name fields of the resource being updated, in snake_case.
 * A misspelt path makes the server reject the call, a camelCase one fails over gRPC.
 */
function checkUpdateMask(message: MessageInfo, request: Record<string, unknown>, context: Context): void {
  const target = updateTarget(context.registry, message);
  const mask = request.updateMask;
  if (target === undefined || !isMessageObject(mask) || !Array.isArray(mask.paths)) return;
  mask.paths.forEach((maskPath: unknown, i) => {
    if (typeof maskPath !== 'string') return;
    const problem = fieldMaskPathProblem(context.registry, target.type, maskPath);
    if (problem !== undefined) report(context, indexPath('updateMask.paths', i), 'field-mask', problem);
  });
}

/** In an Update*Request, the resource field the `updateMask` applies to. */
function updateTarget(registry: ProtoRegistry, message: MessageInfo): { field: FieldInfo; type: MessageInfo } | undefined {
  const maskField = message.fieldsByName.get('updateMask');
  if (maskField === undefined || registry.resolveField(message, maskField).kind !== 'message') return undefined;
  for (const field of message.fields) {
    if (field === maskField || !field.behaviors.has('REQUIRED') || field.repeated) continue;
    const type = registry.resolveField(message, field);
    if (type.kind === 'message' && !type.fullName.startsWith('google.protobuf.')) return { field, type };
  }
  return undefined;
}

function fieldMaskPathProblem(registry: ProtoRegistry, target: MessageInfo, maskPath: string): string | undefined {
  let current: MessageInfo = target;
  const segments = maskPath.split('.');
  for (const [i, segment] of segments.entries()) {
    if (/[A-Z]/.test(segment)) return `field mask paths are snake_case: use \`${camelToSnake(segment)}\` instead of \`${segment}\``;
    const field = current.fieldsByName.get(snakeToCamel(segment));
    if (field === undefined) {
      const suggestion = closestName(snakeToCamel(segment), current.fieldsByName.keys());
      return `\`${segment}\` is not a field of ${current.fullName}${suggestion === undefined ? '' : `; did you mean \`${camelToSnake(suggestion)}\`?`}`;
    }
    if (field.behaviors.has('OUTPUT_ONLY')) return `\`${segment}\` is OUTPUT_ONLY and cannot be updated`;
    const last = i === segments.length - 1;
    if (last) return undefined;
    if (field.mapKeyType !== undefined) return undefined; // the next segment is a map key
    const type = registry.resolveField(current, field);
    if (type.kind !== 'message' || field.repeated) return `\`${segment}\` has no sub-fields to mask`;
    current = type;
  }
  return undefined;
}
