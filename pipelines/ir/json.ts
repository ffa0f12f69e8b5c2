// JSON values as they appear in a PipelineSpec, a parameter value or a google.protobuf.Struct.
// Type aliases, not interfaces, so that any JSON-shaped object type (a compiled PipelineSpec
// included) is assignable to JsonObject without a cast.

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };
