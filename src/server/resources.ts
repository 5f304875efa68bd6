// Resources an agent can read to see how a number was computed: each tool's formulas and limits (the docs/ pages
// themselves, shipped in the package: one source for people and agents), the model card of the loaded models,
// and the live status. Listed with MIME types; the docs template completes its {tool} variable.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { packageRoot } from './config.js';

export const STATUS_URI = 'red-heart://status';
export const MODEL_CARD_URI = 'red-heart://model-card';
export const MEMORY_URI = 'red-heart://memory';
export const DOCS_TEMPLATE = 'red-heart://docs/{tool}';

/** The docs/ page that holds each tool's formulas, inputs and limits. A new tool adds its row here. */
export const TOOL_DOCS: Readonly<Record<string, string>> = {
  analyze_emotion: 'emotion.md',
  bentham_score: 'bentham.md',
  regret_forecast: 'regret.md',
  surd_decompose: 'surd.md',
  full_analysis: 'integration.md',
  analyze_conversation: 'conversation.md',
  analyze_corpus: 'corpus.md',
  remember: 'memory.md',
  recall: 'memory.md',
  forget: 'memory.md',
};

export const docUri = (tool: string) => DOCS_TEMPLATE.replace('{tool}', tool);

export function docsDir(): string {
  return join(packageRoot(), 'docs');
}

/** Reads a tool's docs page; an unknown tool or a missing page is an InvalidParams error that says which. */
export async function readToolDoc(tool: string): Promise<string> {
  const page = Object.hasOwn(TOOL_DOCS, tool) ? TOOL_DOCS[tool] : undefined;
  if (!page)
    throw new McpError(
      ErrorCode.InvalidParams,
      `no docs for tool '${tool}': known tools are ${Object.keys(TOOL_DOCS).join(', ')}`,
    );
  const path = join(docsDir(), page);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new McpError(
      ErrorCode.InternalError,
      `the docs page for ${tool} could not be read from ${path} (${(err as Error).message})`,
    );
  }
}

/** A resource template with one resource per tool (`red-heart://<kind>/{tool}`). */
export interface ToolTemplate {
  name: string;
  template: string;
  tools: readonly string[];
  title: string;
  description: string;
  mimeType: string;
  /** What resources/list shows for one tool besides its URI and MIME type. */
  listed: (tool: string) => { name: string; title?: string; description?: string };
  /** The resource's text; throws McpError for a tool it does not know. */
  read: (tool: string) => Promise<string> | string;
}

/** Registers `t`: listed per tool, its {tool} variable completed from `t.tools`, read as `t.read(tool)`. */
export function registerToolTemplate(mcp: McpServer, t: ToolTemplate): void {
  const uriOf = (tool: string) => t.template.replace('{tool}', tool);
  mcp.registerResource(
    t.name,
    new ResourceTemplate(t.template, {
      list: async () => ({
        resources: t.tools.map((tool) => ({ uri: uriOf(tool), ...t.listed(tool), mimeType: t.mimeType })),
      }),
      complete: { tool: (typed) => t.tools.filter((name) => name.startsWith(typed ?? '')) },
    }),
    { title: t.title, description: t.description, mimeType: t.mimeType },
    async (uri, vars) => {
      const tool = String(Array.isArray(vars.tool) ? vars.tool[0] : vars.tool);
      return { contents: [{ uri: uri.href, mimeType: t.mimeType, text: await t.read(tool) }] };
    },
  );
}

export function registerResources(
  mcp: McpServer,
  opts: { status: () => Record<string, unknown>; modelsDir: string; memory?: () => Record<string, unknown> },
): void {
  const memory = opts.memory;
  if (memory) {
    mcp.registerResource(
      'memory',
      MEMORY_URI,
      {
        title: 'Experience memory',
        description:
          'The memory store in use: its file, record counts (cases, decisions, records from another model) and size, and how to erase it.',
        mimeType: 'application/json',
      },
      async (uri) => ({
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(memory(), null, 2) }],
      }),
    );
  }

  mcp.registerResource(
    'status',
    STATUS_URI,
    {
      title: 'Server status',
      description:
        'Version, loaded models with parameter counts, execution provider, cache statistics, limits and uptime.',
      mimeType: 'application/json',
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(opts.status(), null, 2) }],
    }),
  );

  registerToolTemplate(mcp, {
    name: 'tool-docs',
    template: DOCS_TEMPLATE,
    tools: Object.keys(TOOL_DOCS),
    title: 'Tool formulas and limits',
    description: 'The documentation page of one tool: formulas, inputs, limits, errors. {tool} is a tool name.',
    mimeType: 'text/markdown',
    listed: (tool) => ({
      name: `${tool} docs`,
      title: `${tool}: formulas and limits`,
      description: `How ${tool} computes each number, its inputs, limits and errors (docs/${TOOL_DOCS[tool]}).`,
    }),
    read: readToolDoc,
  });

  // The card of the models directory in use (a custom --models-dir may have none; then it is not offered).
  const card = join(opts.modelsDir, 'MODEL_CARD.md');
  if (existsSync(card)) {
    mcp.registerResource(
      'model-card',
      MODEL_CARD_URI,
      {
        title: 'Model card',
        description:
          'What the shipped emotion model was trained on, how it scores on held-out data, and its known limits.',
        mimeType: 'text/markdown',
      },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: await readFile(card, 'utf8') }] }),
    );
  }
}
