// tools/list as this server serves it: descriptions for the model its manifest names (read from the manifest, a
// cheap JSON read: tools/list is answered before any model loads), compact output schemas (tool-schemas.ts), built
// once per server and reused. The server instructions name every tool from the same list.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, ListToolsRequestSchema, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSelection } from '../engine/manifest.js';
import { MEMORY_TOOLS, TOOLS } from '../tools/index.js';
import { readsSentence } from '../tools/model-facts.js';
import type { ServedModel, ToolDefinition } from '../tools/types.js';
import { compactOutputSchema, fullJsonSchema, inputJsonSchema } from './tool-schemas.js';
import { packageRoot } from './config.js';
import { viewMeta } from './views.js';
import { SCHEMAS_FILE } from './version.js';
import { withCachedFlag } from './registry.js';
import { registerToolTemplate } from './resources.js';

export const SCHEMA_TEMPLATE = 'red-heart://schema/{tool}';
export const schemaUri = (tool: string) => SCHEMA_TEMPLATE.replace('{tool}', tool);

const served = new Map<string, ServedModel | null>();

/**
 * The model (or ensemble) the configuration selects, from its manifest; null when none is installed or readable.
 * Read once per configuration (HTTP builds a server per request).
 */
export function servedModel(dirs: { modelsDir: string; extraModelsDir?: string; model?: string }): ServedModel | null {
  const key = JSON.stringify([dirs.modelsDir, dirs.extraModelsDir, dirs.model]);
  if (!served.has(key)) served.set(key, readServedModel(dirs));
  return served.get(key) ?? null;
}

function readServedModel(dirs: { modelsDir: string; extraModelsDir?: string; model?: string }): ServedModel | null {
  try {
    const sel = resolveSelection(dirs.modelsDir, dirs.extraModelsDir, dirs.model);
    if (sel.kind === 'model') {
      const e = sel.model.entry;
      return { id: e.id, version: e.version, languages: [...e.languages], heads: Object.keys(e.outputs) };
    }
    const members = sel.ensemble.members.map((m) => m.entry);
    return {
      id: sel.ensemble.entry.id,
      version: sel.ensemble.entry.version,
      // The ensemble reads the languages every member reads, and serves the heads every member has.
      languages: members[0].languages.filter((l) => members.every((m) => m.languages.includes(l))),
      heads: Object.keys(members[0].outputs).filter((h) => members.every((m) => h in m.outputs)),
    };
  } catch {
    return null;
  }
}

export function toolDescription(def: ToolDefinition, model: ServedModel | null): string {
  return def.describe ? def.describe(model) : def.description;
}

type ListedSchemas = Pick<Tool, 'inputSchema' | 'outputSchema'>;

/** The schemas tools/list serves, per tool in TOOLS order (zod → JSON Schema, compacted; ~0.1 s of CPU). */
export function computeListedSchemas(): Record<string, ListedSchemas> {
  const tools = referToEarlier(
    [...TOOLS, ...MEMORY_TOOLS].map((def) => ({
      name: def.name,
      inputSchema: inputJsonSchema(def.input) as Tool['inputSchema'],
      outputSchema: compactOutputSchema(withCachedFlag(def.output), schemaUri(def.name)) as Tool['outputSchema'],
    })),
  );
  return Object.fromEntries(tools.map((t) => [t.name, { inputSchema: t.inputSchema, outputSchema: t.outputSchema }]));
}

// SCHEMAS_FILE: written by `npm run build`, so a fresh server answers tools/list without computing it.
export { SCHEMAS_FILE } from './version.js';

/**
 * The built schemas when the file is newer than every compiled tool module (a rebuilt tool makes it stale; then
 * they are computed, with the same result).
 */
function listedSchemas(): Record<string, ListedSchemas> {
  try {
    const built = statSync(SCHEMAS_FILE).mtimeMs;
    const toolsDir = join(packageRoot(), 'dist', 'src', 'tools');
    const newest = Math.max(
      statSync(fileURLToPath(import.meta.url)).mtimeMs,
      ...readdirSync(toolsDir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => statSync(join(toolsDir, f)).mtimeMs),
    );
    const file = JSON.parse(readFileSync(SCHEMAS_FILE, 'utf8')) as Record<string, ListedSchemas>;
    if (built >= newest && [...TOOLS, ...MEMORY_TOOLS].every((t) => t.name in file)) return file;
  } catch {
    // no built file (running from src/, or not built yet): computed below
  }
  return computeListedSchemas();
}

/** One tool as tools/list shows it. */
export function listedTool(def: ToolDefinition, model: ServedModel | null, schemas: ListedSchemas): Tool {
  const meta = viewMeta(def.name);
  return {
    name: def.name,
    title: def.title,
    description: toolDescription(def, model),
    ...schemas,
    // A file-writing tool replaces an existing file of its output name (the user's, if it bears that name): destructive.
    annotations: def.changesMemory
      ? {
          readOnlyHint: false,
          idempotentHint: def.changesMemory === 'deletes',
          destructiveHint: def.changesMemory === 'deletes',
          openWorldHint: false,
        }
      : {
          readOnlyHint: !def.writesFiles,
          idempotentHint: true,
          destructiveHint: def.writesFiles === true,
          openWorldHint: false,
        },
    // MCP Apps: the view this tool's result renders in, for hosts that support it (src/server/views.ts).
    ...(meta ? { _meta: meta } : {}),
  };
}

/** Replaces the SDK's tools/list (which re-derives every full schema on each call) with the compact list, built once. */
export function serveToolList(mcp: McpServer, model: () => ServedModel | null, memory = false): void {
  let tools: Tool[] | null = null;
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => {
    if (!tools) {
      const schemas = listedSchemas();
      // remember / recall / forget are listed only when the user turned memory on
      tools = [...TOOLS, ...(memory ? MEMORY_TOOLS : [])].map((def) => listedTool(def, model(), schemas[def.name]));
    }
    return { tools };
  });
}

/** An argument described at length in an earlier tool (detail, granularity, explain) is described there only. */
const SHARED_ARGUMENT_CHARS = 200;

export function referToEarlier<T extends Pick<Tool, 'name' | 'inputSchema'>>(tools: T[]): T[] {
  const first = new Map<string, string>();
  return tools.map((tool) => {
    const props = { ...(tool.inputSchema.properties ?? {}) } as Record<string, Record<string, unknown>>;
    for (const [name, schema] of Object.entries(props)) {
      const key = JSON.stringify(schema);
      const earlier = first.get(key);
      if (earlier && typeof schema.description === 'string')
        props[name] = { ...schema, description: `as in ${earlier}` };
      else if (key.length >= SHARED_ARGUMENT_CHARS && !earlier) first.set(key, `${tool.name}.${name}`);
    }
    return { ...tool, inputSchema: { ...tool.inputSchema, properties: props } };
  });
}

/** The server instructions: what the server is for, the served model, and every tool with its title. */
export function serverInstructions(
  model: ServedModel | null,
  statusUri: string,
  docUri: (tool: string) => string,
): string {
  return (
    `Text and data analysis tools. ${readsSentence(model)} Tools: ` +
    `${TOOLS.map((t) => `${t.name} (${t.title})`).join('; ')}. Every number comes from an exact formula or the ` +
    "served model; each result's text content is a summary followed by the full result as JSON on its last line " +
    `(\`cached\`: served from the result cache). Read ${statusUri} for the loaded model and cache state, ` +
    `${docUri('<tool>')} for how a tool computes its numbers, and ${schemaUri('<tool>')} for its full output schema.`
  );
}

/** red-heart://schema/{tool}: the full JSON Schema of a tool's structured result (tools/list carries the compact one). */
export function registerSchemaResource(mcp: McpServer): void {
  const names = TOOLS.map((t) => t.name);
  registerToolTemplate(mcp, {
    name: 'tool-output-schema',
    template: SCHEMA_TEMPLATE,
    tools: names,
    title: 'Full output schema of a tool',
    description:
      "Every field of a tool's structured result, nested shapes included (JSON Schema draft-07). {tool} is a tool name.",
    mimeType: 'application/schema+json',
    listed: (tool) => ({ name: `${tool} output schema` }),
    read: (tool) => {
      const def = TOOLS.find((t) => t.name === tool);
      if (!def) throw new McpError(ErrorCode.InvalidParams, `no tool '${tool}': known tools are ${names.join(', ')}`);
      return JSON.stringify(fullJsonSchema(withCachedFlag(def.output), 'output'), null, 1);
    },
  });
}
