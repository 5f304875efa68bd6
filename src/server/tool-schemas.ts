// The JSON Schemas tools/list serves. The full output schemas (every nested field, 250k characters for all tools)
// would cost a host that passes them to its model ~70k tokens per conversation, so tools/list carries a compact
// form: every field down to OUTPUT_DEPTH levels with its type, enum and first description sentence; deeper
// objects as `{"type":"object"}` (open, so any structured result still validates) and each repeated shape once
// under `definitions` (`$ref`). The full schema of each tool is the resource red-heart://schema/{tool}.
import { z } from 'zod';

type Json = Record<string, unknown>;

/** Levels of nesting kept in a tool's compact output schema (1 = the top-level fields only). */
export const OUTPUT_DEPTH = 2;
/** Fields at least this many levels above the cut keep their description (1 = the top-level fields only). */
const DESCRIBED_DEPTH = 1;
/** A description longer than this is cut at its first sentence end before it. */
const DESCRIPTION_CHARS = 80;
/** A repeated subschema at least this long (serialised) is stored once under `definitions`. */
const SHARED_MIN_CHARS = 60;

/** The full JSON Schema (draft-07, as the MCP SDK serves them) of a zod schema. */
export function fullJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  return z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Json;
}

function shortDescription(text: string): string {
  if (text.length <= DESCRIPTION_CHARS) return text;
  const cut = text.slice(0, DESCRIPTION_CHARS);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('; '), cut.lastIndexOf(' ('));
  return end > 30 ? text.slice(0, end + (text[end] === '.' ? 1 : 0)) : `${cut.slice(0, cut.lastIndexOf(' '))} …`;
}

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** One node cut to `depth` remaining levels; descriptions kept (shortened) on the levels that stay. */
function cut(node: unknown, depth: number): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const n = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === '$schema' || k === 'additionalProperties' || k === 'default') continue;
    // The deepest level kept says only what type a field has.
    if (depth <= 0 && k !== 'type' && k !== 'anyOf' && k !== 'oneOf' && k !== 'allOf' && k !== 'const') continue;
    if (k === 'description') {
      if (depth >= DESCRIBED_DEPTH) out.description = shortDescription(String(v));
    } else if ((k === 'maximum' && v === SAFE_INT) || (k === 'minimum' && v === -SAFE_INT)) continue;
    else if (k === 'properties') {
      if (depth <= 0) continue;
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, cut(s, depth - 1)]));
    } else if (k === 'required') {
      // Not listed: the compact schema says what a result may hold; which fields are always there is in the full one.
      continue;
    } else if (k === 'items') {
      // An array costs no level: a list of results shows its items' fields like a single result would.
      if (depth > 0) out.items = cut(v, depth);
    } else if (k === 'anyOf' || k === 'oneOf') {
      if (depth > 0)
        Object.assign(
          out,
          mergeVariants(
            (v as unknown[]).map((s) => cut(s, depth)),
            k,
          ),
        );
    } else if (k === 'allOf') {
      if (depth > 0) out[k] = (v as unknown[]).map((s) => cut(s, depth));
    } else out[k] = v;
  }
  // A closed object whose fields were all kept stays closed; a cut one is open so deeper fields still validate.
  if (depth > 0 && n.additionalProperties !== undefined && typeof n.additionalProperties === 'object') {
    out.additionalProperties = cut(n.additionalProperties, depth - 1);
  }
  if (depth <= 0 && (n.anyOf || n.oneOf || n.allOf) && out.type === undefined) {
    const types = new Set((((n.anyOf ?? n.oneOf ?? n.allOf) as Json[]) ?? []).map((s) => s.type).filter(Boolean));
    if (types.size === 1) out.type = [...types][0];
  }
  return out;
}

/** The variants of a union flattened; object variants merged into one object (fields united, required
 * intersected), which every instance of a variant still satisfies: one schema for one repeated shape. */
function mergeVariants(variants: unknown[], key: 'anyOf' | 'oneOf'): Json {
  const flat: Json[] = [];
  const add = (v: Json) => {
    const inner = (v.anyOf ?? v.oneOf) as Json[] | undefined;
    if (inner && Object.keys(v).every((k) => k === 'anyOf' || k === 'oneOf' || k === 'description')) inner.forEach(add);
    else flat.push(v);
  };
  (variants as Json[]).forEach(add);
  const objects = flat.filter((v) => v.type === 'object' && !v.anyOf && !v.oneOf);
  const rest = flat.filter((v) => !objects.includes(v));
  const unique = (xs: unknown[]) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
  let merged: Json | undefined;
  if (objects.length > 0) {
    const props = new Map<string, unknown[]>();
    for (const o of objects)
      for (const [p, c] of Object.entries((o.properties ?? {}) as Json)) props.set(p, [...(props.get(p) ?? []), c]);
    const required = objects
      .map((o) => (o.required ?? []) as string[])
      .reduce((a, b) => a.filter((x) => b.includes(x)));
    const descriptions = new Set(objects.map((o) => o.description));
    const description = descriptions.size === 1 ? [...descriptions][0] : undefined;
    const properties = Object.fromEntries(
      [...props].map(([p, cs]) => {
        const u = unique(cs) as Json[];
        return [p, u.length === 1 ? u[0] : mergeVariants(u, 'anyOf')];
      }),
    );
    merged = {
      type: 'object',
      ...(description ? { description } : {}),
      ...(props.size ? { properties } : {}),
      ...(required.length ? { required } : {}),
    };
  }
  const all = unique([...(merged ? [merged] : []), ...rest]) as Json[];
  return all.length === 1 ? all[0] : { [key]: all };
}

/** The direct subschemas of a schema node, with the name a shared copy of each would get. */
function children(node: Json, name: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (node.properties) for (const [p, c] of Object.entries(node.properties as Json)) out.push([p, c]);
  if (node.items) out.push([`${name}_item`, node.items]);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    out.push([`${name}_value`, node.additionalProperties]);
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(node[k])) for (const c of node[k] as unknown[]) out.push([name, c]);
  return out;
}

/** Rebuilds a schema node with each direct subschema passed through `f`. */
function mapChildren(node: Json, name: string, f: (child: unknown, name: string) => unknown): Json {
  const out: Json = { ...node };
  if (node.properties)
    out.properties = Object.fromEntries(Object.entries(node.properties as Json).map(([p, c]) => [p, f(c, p)]));
  if (node.items) out.items = f(node.items, `${name}_item`);
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    out.additionalProperties = f(node.additionalProperties, `${name}_value`);
  for (const k of ['anyOf', 'oneOf', 'allOf'])
    if (Array.isArray(node[k])) out[k] = (node[k] as unknown[]).map((c) => f(c, name));
  return out;
}

/** Moves every subschema that occurs more than once (and is not tiny) to `definitions`, replaced by `$ref`s. */
function share(root: Json): Json {
  const counts = new Map<string, number>();
  const count = (node: unknown, name: string): void => {
    const s = JSON.stringify(node);
    counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [n, c] of children(node as Json, name)) count(c, n);
  };
  for (const [n, c] of children(root, 'root')) count(c, n);
  const names = new Map<string, string>();
  const definitions: Json = {};
  const replace = (node: unknown, name: string): unknown => {
    const s = JSON.stringify(node);
    if ((counts.get(s) ?? 0) > 1 && s.length >= SHARED_MIN_CHARS) {
      let ref = names.get(s);
      if (!ref) {
        ref = uniqueName(name, definitions);
        names.set(s, ref);
        definitions[ref] = mapChildren(node as Json, name, replace);
      }
      return { $ref: `#/definitions/${ref}` };
    }
    return mapChildren(node as Json, name, replace);
  };
  const out = mapChildren(root, 'root', replace);
  return Object.keys(definitions).length > 0 ? { ...out, definitions } : out;
}

function uniqueName(key: string, taken: Json): string {
  const base = key.replace(/[^A-Za-z0-9_]/g, '_') || 'shape';
  let name = base;
  for (let i = 2; name in taken; i++) name = `${base}_${i}`;
  return name;
}

/** The compact output schema of a tool (see the file header); `reference` names where the full shape is. */
export function compactOutputSchema(output: z.ZodObject, reference: string): Json {
  const full = fullJsonSchema(output, 'output');
  // `cached` is on every result and explained in the instructions.
  if (full.properties && typeof full.properties === 'object') delete (full.properties as Json).cached;
  const compact = share(cut(full, OUTPUT_DEPTH) as Json);
  if (compact.properties) (compact.properties as Json).cached = { type: 'boolean' };
  return { type: 'object', description: `Full schema: ${reference}`, ...compact };
}

/** The input schema as the SDK would serve it, minus the noise that carries no constraint. */
export function inputJsonSchema(input: z.ZodObject): Json {
  return strip(fullJsonSchema(input, 'input')) as Json;
}

const STANDARD_FORMATS = new Set(['date-time', 'date', 'time', 'email', 'uri', 'uuid']);

function strip(node: unknown): unknown {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(strip);
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema') continue;
    if ((k === 'maximum' && v === SAFE_INT) || (k === 'minimum' && v === -SAFE_INT)) continue;
    // zod writes its ~300-character validation regex beside a standard `format`; the format says the same to a
    // client, and the server validates with zod either way
    if (k === 'pattern' && STANDARD_FORMATS.has(String((node as Json).format))) continue;
    out[k] =
      k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, c]) => [p, strip(c)])) : strip(v);
  }
  return out;
}
