// protos.json keeps only the LAST value of a repeated option, so a field declared
// `[(google.api.field_behavior) = REQUIRED, (google.api.field_behavior) = IMMUTABLE]`
// shows up there as IMMUTABLE only (e.g. DedicatedResources.machine_spec,
// ModelContainerSpec.image_uri). The .proto sources shipped next to protos.json keep
// every value; protobufjs' parser records them all in `parsedOptions`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

const FIELD_BEHAVIOR = '(google.api.field_behavior)';
// Only files declaring two behaviours on one field need parsing (~18 of ~125): it halves load time.
const REPEATED_BEHAVIOR = /field_behavior\)\s*=\s*[A-Z_]+\s*,\s*\(google\.api\.field_behavior\)/;

/** Map from `package.Message.fieldName` to every field_behavior declared in the .proto sources. */
export function loadSourceFieldBehaviors(protoDir: string): Map<string, string[]> {
  const behaviors = new Map<string, string[]>();
  if (!existsSync(protoDir)) return behaviors;
  const root = new protobuf.Root();
  for (const file of readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort()) {
    const source = readFileSync(join(protoDir, file), 'utf8');
    if (!REPEATED_BEHAVIOR.test(source)) continue;
    try {
      protobuf.parse(source, root, { keepCase: false });
    } catch {
      // A file this parser cannot read only loses the extra behaviours; protos.json still applies.
    }
  }
  collect(root, behaviors);
  return behaviors;
}

function collect(namespace: protobuf.NamespaceBase, out: Map<string, string[]>): void {
  for (const child of namespace.nestedArray) {
    if (child instanceof protobuf.Type) {
      for (const field of child.fieldsArray) {
        const values = behaviorValues(field.parsedOptions);
        if (values.length > 0) out.set(`${child.fullName.replace(/^\./, '')}.${field.name}`, values);
      }
    }
    if (child instanceof protobuf.Namespace) collect(child, out);
  }
}

function behaviorValues(parsedOptions: unknown): string[] {
  if (!Array.isArray(parsedOptions)) return [];
  const values: string[] = [];
  for (const entry of parsedOptions as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const value: unknown = (entry as Record<string, unknown>)[FIELD_BEHAVIOR];
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return values;
}
