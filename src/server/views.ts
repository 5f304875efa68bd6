// MCP Apps views (SEP-1865): each tool with a view names a ui:// resource in its tool metadata, and the resource is
// one self-contained HTML file built by scripts/build-views.mjs into dist/views. Hosts with MCP Apps render it in a
// sandboxed iframe and hand it the tool's input and result; hosts without it never read the resource, and tool
// results are the same either way (the view reads the structured output that every client gets).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TOOLS } from '../tools/index.js';
import { packageRoot } from './config.js';

/**
 * The MIME type and tool-metadata key of MCP Apps (the ext-apps package's RESOURCE_MIME_TYPE and RESOURCE_URI_META_KEY;
 * a test checks they agree).
 */
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';
export const LEGACY_RESOURCE_URI_KEY = 'ui/resourceUri';

/** Tools that have a view, with what the view shows (the resource description). */
export const VIEWS: Record<string, string> = {
  analyze_emotion:
    'Top labels, Ekman profile and valence per text; sentences coloured by valence and explanation spans when present.',
  surd_decompose:
    'Redundant, unique and synergistic components as bars, the leak, and p-values when significance was requested.',
  regret_forecast:
    'Utility and regret heatmaps, the recommendation per criterion, and a probability control that re-runs the ' +
    'tool and shows where the choice flips.',
  analyze_conversation:
    'Per-speaker valence and arousal over the turns with the shifts marked, speaker summaries, and the influence result.',
  analyze_corpus:
    'The corpus dashboard: Ekman and sentiment shares with intervals, valence by time bucket and by group, group differences.',
};

/** The views whose tool this server registers (a view can be built before its tool lands). */
export function activeViews(): string[] {
  const registered = new Set(TOOLS.map((t) => t.name));
  return Object.keys(VIEWS).filter((tool) => registered.has(tool));
}

export const viewUri = (tool: string) => `ui://red-heart/${tool}.html`;
export const viewFile = (tool: string) => join(packageRoot(), 'dist', 'views', `${tool}.html`);

/** Tool `_meta` linking a tool to its view (both the current and the older key, as ext-apps' registerAppTool does), or undefined. */
export function viewMeta(tool: string): Record<string, unknown> | undefined {
  if (!activeViews().includes(tool)) return undefined;
  const uri = viewUri(tool);
  return { ui: { resourceUri: uri }, [LEGACY_RESOURCE_URI_KEY]: uri };
}

export function registerViews(server: McpServer): void {
  for (const tool of activeViews()) {
    const description = VIEWS[tool];
    const uri = viewUri(tool);
    server.registerResource(
      `${tool} view`,
      uri,
      { title: `${tool} view`, description, mimeType: VIEW_MIME_TYPE },
      async () => {
        let text: string;
        try {
          text = await readFile(viewFile(tool), 'utf8');
        } catch (err) {
          throw new Error(
            `the ${tool} view is not built (${viewFile(tool)}: ` +
              `${(err as NodeJS.ErrnoException).code ?? String(err)}); run \`npm run build\``,
            { cause: err },
          );
        }
        // No network access: the views inline everything, so the CSP needs no domains.
        return {
          contents: [
            {
              uri,
              mimeType: VIEW_MIME_TYPE,
              text,
              _meta: { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } },
            },
          ],
        };
      },
    );
  }
}
