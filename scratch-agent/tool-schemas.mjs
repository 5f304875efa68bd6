import { z } from "zod";
const OUTPUT_DEPTH = 2;
const DESCRIBED_DEPTH = 1;
const DESCRIPTION_CHARS = 60;
const SHARED_MIN_CHARS = 60;
function fullJsonSchema(schema, io) {
  return z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" });
}
function shortDescription(text) {
  if (text.length <= DESCRIPTION_CHARS) return text;
  const cut2 = text.slice(0, DESCRIPTION_CHARS);
  const end = Math.max(cut2.lastIndexOf(". "), cut2.lastIndexOf("; "), cut2.lastIndexOf(" ("));
  return end > 30 ? text.slice(0, end + (text[end] === "." ? 1 : 0)) : `${cut2.slice(0, cut2.lastIndexOf(" "))} \u2026`;
}
const SAFE_INT = Number.MAX_SAFE_INTEGER;
function cut(node, depth) {
  if (!node || typeof node !== "object" || Array.isArray(node)) return node;
  const n = node;
  const out = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === "$schema" || k === "additionalProperties" || k === "default") continue;
    if (depth <= 0 && k !== "type" && k !== "anyOf" && k !== "oneOf" && k !== "allOf" && k !== "const") continue;
    if (k === "description") {
      if (depth >= DESCRIBED_DEPTH) out.description = shortDescription(String(v));
    } else if (k === "maximum" && v === SAFE_INT || k === "minimum" && v === -SAFE_INT) continue;
    else if (k === "properties") {
      if (depth <= 0) continue;
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, cut(s, depth - 1)]));
    } else if (k === "required") {
      continue;
    } else if (k === "items") {
      if (depth > 0) out.items = cut(v, depth);
    } else if (k === "anyOf" || k === "oneOf") {
      if (depth > 0) Object.assign(out, mergeVariants(v.map((s) => cut(s, depth)), k));
    } else if (k === "allOf") {
      if (depth > 0) out[k] = v.map((s) => cut(s, depth));
    } else out[k] = v;
  }
  if (depth > 0 && n.additionalProperties !== void 0 && typeof n.additionalProperties === "object") {
    out.additionalProperties = cut(n.additionalProperties, depth - 1);
  }
  if (depth <= 0 && (n.anyOf || n.oneOf || n.allOf) && out.type === void 0) {
    const types = new Set((n.anyOf ?? n.oneOf ?? n.allOf ?? []).map((s) => s.type).filter(Boolean));
    if (types.size === 1) out.type = [...types][0];
  }
  return out;
}
function mergeVariants(variants, key) {
  const flat = [];
  const add = (v) => {
    const inner = v.anyOf ?? v.oneOf;
    if (inner && Object.keys(v).every((k) => k === "anyOf" || k === "oneOf" || k === "description")) inner.forEach(add);
    else flat.push(v);
  };
  variants.forEach(add);
  const objects = flat.filter((v) => v.type === "object" && !v.anyOf && !v.oneOf);
  const rest = flat.filter((v) => !objects.includes(v));
  const unique = (xs) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
  let merged;
  if (objects.length > 0) {
    const props = /* @__PURE__ */ new Map();
    for (const o of objects) for (const [p, c] of Object.entries(o.properties ?? {})) props.set(p, [...props.get(p) ?? [], c]);
    const required = objects.map((o) => o.required ?? []).reduce((a, b) => a.filter((x) => b.includes(x)));
    const descriptions = new Set(objects.map((o) => o.description));
    const description = descriptions.size === 1 ? [...descriptions][0] : void 0;
    const properties = Object.fromEntries([...props].map(([p, cs]) => {
      const u = unique(cs);
      return [p, u.length === 1 ? u[0] : mergeVariants(u, "anyOf")];
    }));
    merged = { type: "object", ...description ? { description } : {}, ...props.size ? { properties } : {}, ...required.length ? { required } : {} };
  }
  const all = unique([...merged ? [merged] : [], ...rest]);
  return all.length === 1 ? all[0] : { [key]: all };
}
function children(node, name) {
  const out = [];
  if (node.properties) for (const [p, c] of Object.entries(node.properties)) out.push([p, c]);
  if (node.items) out.push([`${name}_item`, node.items]);
  if (node.additionalProperties && typeof node.additionalProperties === "object") out.push([`${name}_value`, node.additionalProperties]);
  for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(node[k])) for (const c of node[k]) out.push([name, c]);
  return out;
}
function mapChildren(node, name, f) {
  const out = { ...node };
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([p, c]) => [p, f(c, p)]));
  if (node.items) out.items = f(node.items, `${name}_item`);
  if (node.additionalProperties && typeof node.additionalProperties === "object") out.additionalProperties = f(node.additionalProperties, `${name}_value`);
  for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(node[k])) out[k] = node[k].map((c) => f(c, name));
  return out;
}
function share(root) {
  const counts = /* @__PURE__ */ new Map();
  const count = (node, name) => {
    const s = JSON.stringify(node);
    counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const [n, c] of children(node, name)) count(c, n);
  };
  for (const [n, c] of children(root, "root")) count(c, n);
  const names = /* @__PURE__ */ new Map();
  const definitions = {};
  const replace = (node, name) => {
    const s = JSON.stringify(node);
    if ((counts.get(s) ?? 0) > 1 && s.length >= SHARED_MIN_CHARS) {
      let ref = names.get(s);
      if (!ref) {
        ref = uniqueName(name, definitions);
        names.set(s, ref);
        definitions[ref] = mapChildren(node, name, replace);
      }
      return { $ref: `#/definitions/${ref}` };
    }
    return mapChildren(node, name, replace);
  };
  const out = mapChildren(root, "root", replace);
  return Object.keys(definitions).length > 0 ? { ...out, definitions } : out;
}
function uniqueName(key, taken) {
  const base = key.replace(/[^A-Za-z0-9_]/g, "_") || "shape";
  let name = base;
  for (let i = 2; name in taken; i++) name = `${base}_${i}`;
  return name;
}
function compactOutputSchema(output, reference) {
  const full = fullJsonSchema(output, "output");
  if (full.properties && typeof full.properties === "object") delete full.properties.cached;
  const compact = share(cut(full, OUTPUT_DEPTH));
  if (compact.properties) compact.properties.cached = { type: "boolean" };
  return { type: "object", description: `Full schema: ${reference}`, ...compact };
}
function inputJsonSchema(input) {
  return strip(fullJsonSchema(input, "input"));
}
function strip(node) {
  if (!node || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map(strip);
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$schema") continue;
    if (k === "maximum" && v === SAFE_INT || k === "minimum" && v === -SAFE_INT) continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([p, c]) => [p, strip(c)])) : strip(v);
  }
  return out;
}
export {
  OUTPUT_DEPTH,
  compactOutputSchema,
  fullJsonSchema,
  inputJsonSchema
};
