// MCP Apps views on the wire (built stdio server): the tools with a view name it in _meta.ui.resourceUri, the
// ui:// resources are self-contained HTML with the MCP Apps MIME type, and hosts without Apps get exactly the same
// tool results as hosts with it (test/integration/recorded.test.ts pins those results to the recorded outputs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeViews,
  LEGACY_RESOURCE_URI_KEY,
  VIEW_MIME_TYPE,
  VIEWS,
  viewFile,
  viewUri,
} from '../../src/server/views.js';
import { CLI, ROOT, startServer, type RunningServer } from './harness.js';
import { VIEW_TOOLS } from '../helpers/tool-names.js';

const fixture = (tool: string) => JSON.parse(readFileSync(resolve(ROOT, `test/fixtures/views/${tool}.json`), 'utf8'));

/** A client that declares the MCP Apps extension, as an Apps-capable host does. */
async function appsClient(): Promise<Client> {
  const client = new Client(
    { name: 'apps-host', version: '0' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } as never },
  );
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: { ...(process.env as Record<string, string>), RED_HEART_CACHE: 'memory', RED_HEART_LOG_LEVEL: 'warn' },
      stderr: 'ignore',
      cwd: ROOT,
    }),
  );
  return client;
}

const withoutTiming = (o: Record<string, unknown>) => {
  const { elapsed_ms: _e, cached: _c, ...rest } = o;
  return rest;
};
/** A result without what differs between two runs (timing, cache state), the text's JSON line included. */
const stable = (r: Record<string, unknown>) => {
  const content = (r.content as Array<{ type: string; text?: string }>).map((c) => {
    if (c.type !== 'text' || !c.text) return c;
    const lines = c.text.split('\n');
    return { ...c, text: lines.slice(0, -1).join('\n'), json: withoutTiming(JSON.parse(lines[lines.length - 1])) };
  });
  return {
    content,
    structuredContent: withoutTiming((r.structuredContent ?? {}) as Record<string, unknown>),
    isError: r.isError,
    metaKeys: Object.keys((r._meta ?? {}) as object),
  };
};

describe('MCP Apps views', () => {
  let plain: RunningServer;
  let apps: Client;
  beforeAll(async () => {
    [plain, apps] = await Promise.all([startServer(), appsClient()]);
  }, 60_000);
  afterAll(async () => {
    await plain?.close();
    await apps?.close();
  });

  it('uses the MIME type and metadata key of ext-apps', () => {
    expect(VIEW_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
    expect(LEGACY_RESOURCE_URI_KEY).toBe(RESOURCE_URI_META_KEY);
  });

  it('has a built view for every VIEWS entry and no view without one', () => {
    expect(
      readdirSync(resolve(ROOT, 'views'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.slice(0, -3))
        .sort(),
    ).toEqual(Object.keys(VIEWS).sort());
    for (const tool of Object.keys(VIEWS)) expect(existsSync(viewFile(tool))).toBe(true);
  });

  it('links each tool with a view to its ui:// resource, and no other tool', async () => {
    const { tools } = await plain.client.listTools();
    for (const t of tools) {
      if (activeViews().includes(t.name)) {
        expect(t._meta).toEqual({ ui: { resourceUri: viewUri(t.name) }, 'ui/resourceUri': viewUri(t.name) });
      } else {
        expect(t._meta).toBeUndefined();
      }
    }
    expect(
      tools
        .filter((t) => t._meta)
        .map((t) => t.name)
        .sort(),
    ).toEqual(activeViews().sort());
    expect(activeViews().sort()).toEqual(VIEW_TOOLS);
  });

  it('serves each view as one self-contained HTML document with the MCP Apps MIME type', async () => {
    const { resources } = await plain.client.listResources();
    for (const tool of activeViews()) {
      const listed = resources.find((r) => r.uri === viewUri(tool));
      expect(listed?.mimeType).toBe('text/html;profile=mcp-app');
      const { contents } = await plain.client.readResource({ uri: viewUri(tool) });
      expect(contents).toHaveLength(1);
      const c = contents[0] as { uri: string; mimeType: string; text: string; _meta?: { ui?: { csp?: unknown } } };
      expect(c.mimeType).toBe('text/html;profile=mcp-app');
      expect(c.text).toBe(readFileSync(resolve(ROOT, `dist/views/${tool}.html`), 'utf8'));
      expect(c.text.startsWith('<!doctype html>')).toBe(true);
      // Nothing loaded from elsewhere: no external scripts, stylesheets, imports or url() references.
      // (the inline script is checked in the browser, test/views/views.browser.test.ts, which records every request).
      const markup = c.text.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
      expect(/<script[^>]+src=|<link\b|@import|url\(|<img\b|<iframe\b/i.test(markup)).toBe(false);
      expect(markup.match(/<script>/g)).toHaveLength(1);
      expect(c._meta?.ui?.csp).toEqual({ connectDomains: [], resourceDomains: [] });
    }
  });

  it('gives hosts without Apps the same results as hosts with Apps', async () => {
    // (analyze_corpus needs a data directory; its result does not depend on the client either, as the code path is the same.)
    for (const tool of ['regret_forecast', 'surd_decompose', 'analyze_emotion', 'analyze_conversation']) {
      const callArgs = fixture(tool).args;
      const a = await plain.client.callTool({ name: tool, arguments: callArgs });
      const b = await apps.callTool({ name: tool, arguments: callArgs });
      expect(a.isError).toBeFalsy();
      expect(stable(a)).toEqual(stable(b));
      // Today's result shape: the summary text, the structured output, the request id; nothing view-specific.
      expect(Object.keys(a).sort()).toEqual(['_meta', 'content', 'structuredContent']);
      expect(Object.keys(a._meta as object)).toEqual(['red-heart/request_id']);
    }
  }, 60_000);
});
