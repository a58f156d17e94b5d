/**
 * The one object guard: a plain JSON object (not null, not an array). Every
 * module that inspects untyped JSON (site file, request bodies, MQTT
 * payloads) uses this one, so the rule cannot drift.
 */
export type Obj = Record<string, unknown>;

export const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
