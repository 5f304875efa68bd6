// Prompts, completions and resources over MCP (stdio, the built server): listed, got, completed, read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/analysis/bentham/layers.js';
import { TOOLS } from '../../src/tools/index.js';
import { ROOT, startServer, type RunningServer } from './harness.js';

/** The text of a resource's first content (these resources are all text; a blob fails the test). */
function text(r: ReadResourceResult): string {
  const c = r.contents[0];
  if (!('text' in c)) throw new Error(`${c.uri} was read as a blob, not text`);
  return c.text;
}

describe('prompts and completions', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('declares prompts, resources and completions', () => {
    const caps = server.client.getServerCapabilities();
    expect(caps?.prompts).toBeDefined();
    expect(caps?.resources).toBeDefined();
    expect(caps?.completions).toBeDefined();
  });

  it('lists the prompts with titles, descriptions and arguments', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      'read_conversation_emotions',
      'weigh_dilemma',
      'find_drivers',
      'analyse_corpus_file',
      'full_reading',
    ]);
    for (const p of prompts) {
      expect(p.description?.length).toBeGreaterThan(20);
      expect(p.title).toBeTruthy();
    }
    const weigh = prompts.find((p) => p.name === 'weigh_dilemma')!;
    expect(weigh.arguments).toEqual([
      expect.objectContaining({ name: 'dilemma', required: true }),
      expect.objectContaining({ name: 'options', required: false }),
      expect.objectContaining({ name: 'profile', required: false }),
    ]);
  });

  it('gets a prompt with its arguments in the message and the tools it should call', async () => {
    const res = await server.client.getPrompt({
      name: 'weigh_dilemma',
      arguments: { dilemma: 'Move abroad for a job or stay near my parents?', profile: 'korean' },
    });
    expect(res.messages).toHaveLength(1);
    const msg = res.messages[0];
    expect(msg.role).toBe('user');
    const body = (msg.content as { type: string; text: string }).text;
    expect(body).toContain('Move abroad for a job or stay near my parents?');
    expect(body).toContain('`profile: "korean"`');
    expect(body).toContain('`bentham_score`');
    expect(body).toContain('`regret_forecast`');
    expect(body).toContain('red-heart://docs/bentham_score');

    const conv = await server.client.getPrompt({
      name: 'read_conversation_emotions',
      arguments: { conversation: 'A: hi\nB: go away', language: 'en' },
    });
    const convText = (conv.messages[0].content as { text: string }).text;
    expect(convText).toContain('`analyze_conversation`');
    expect(convText).toContain('`language: "en"`');
    expect(convText).toContain('A: hi\nB: go away');
    expect(convText).toContain('at most 500 turns per call'); // MAX_CONVERSATION_TURNS

    const corpus = await server.client.getPrompt({
      name: 'analyse_corpus_file',
      arguments: { path: '/data/reviews.csv', text_field: 'body', time_bucket: 'week' },
    });
    const corpusText = (corpus.messages[0].content as { text: string }).text;
    expect(corpusText).toContain(
      '`analyze_corpus` with `path: "/data/reviews.csv"` with `text_field: "body"`, `time_bucket: "week"`',
    );

    const surd = await server.client.getPrompt({
      name: 'find_drivers',
      arguments: { target: 'sales', sources: 'price, ads' },
    });
    expect((surd.messages[0].content as { text: string }).text).toMatch(/Target: sales\. Sources: price, ads\./);
  });

  it('refuses a missing required argument and a value outside the tool enum', async () => {
    await expect(server.client.getPrompt({ name: 'weigh_dilemma', arguments: {} })).rejects.toThrow(/dilemma/);
    await expect(
      server.client.getPrompt({ name: 'weigh_dilemma', arguments: { dilemma: 'x', profile: 'martian' } }),
    ).rejects.toThrow(/profile/);
    await expect(server.client.getPrompt({ name: 'no_such_prompt' })).rejects.toThrow(/no_such_prompt/);
  });

  it('completes language and profile from the tools own enums', async () => {
    const lang = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'read_conversation_emotions' },
      argument: { name: 'language', value: '' },
    });
    expect(lang.completion.values).toEqual(['auto', 'en', 'ko']);
    const k = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'full_reading' },
      argument: { name: 'language', value: 'K' },
    });
    expect(k.completion.values).toEqual(['ko']);
    const prof = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'weigh_dilemma' },
      argument: { name: 'profile', value: '' },
    });
    expect(prof.completion.values).toEqual([...PROFILES]);
    const kor = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'weigh_dilemma' },
      argument: { name: 'profile', value: 'ko' },
    });
    expect(kor.completion.values).toEqual(['korean']);
    const detail = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'read_conversation_emotions' },
      argument: { name: 'detail', value: '' },
    });
    expect(detail.completion.values).toEqual(['summary', 'standard', 'full']);
    const bucket = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'analyse_corpus_file' },
      argument: { name: 'time_bucket', value: 'w' },
    });
    expect(bucket.completion.values).toEqual(['week']);
    const fmt = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'analyse_corpus_file' },
      argument: { name: 'format', value: 'TS' },
    });
    expect(fmt.completion.values).toEqual(['tsv']);
    // free-text arguments have no known values
    const free = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'weigh_dilemma' },
      argument: { name: 'dilemma', value: 'a' },
    });
    expect(free.completion.values).toEqual([]);
  });
});

describe('resources', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists status, the model card and one docs page per tool, each with a MIME type', async () => {
    const { resources } = await server.client.listResources();
    const byUri = Object.fromEntries(resources.map((r) => [r.uri, r.mimeType]));
    expect(byUri['red-heart://status']).toBe('application/json');
    expect(byUri['red-heart://model-card']).toBe('text/markdown');
    for (const t of TOOLS) expect(byUri[`red-heart://docs/${t.name}`]).toBe('text/markdown');
    for (const r of resources) expect(r.description).toBeTruthy();
  });

  it('lists the docs and output-schema templates and completes their {tool} variable', async () => {
    const { resourceTemplates } = await server.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: 'red-heart://docs/{tool}', mimeType: 'text/markdown' }),
      expect.objectContaining({ uriTemplate: 'red-heart://schema/{tool}', mimeType: 'application/schema+json' }),
    ]);
    const s = await server.client.complete({
      ref: { type: 'ref/resource', uri: 'red-heart://schema/{tool}' },
      argument: { name: 'tool', value: 'full' },
    });
    expect(s.completion.values).toEqual(['full_analysis']);
    const c = await server.client.complete({
      ref: { type: 'ref/resource', uri: 'red-heart://docs/{tool}' },
      argument: { name: 'tool', value: 's' },
    });
    expect(c.completion.values).toEqual(['surd_decompose']);
  });

  it('reads each tool page as the docs/ file itself (one source), and the model card', async () => {
    const pages: Record<string, string> = {
      analyze_emotion: 'emotion.md',
      bentham_score: 'bentham.md',
      regret_forecast: 'regret.md',
      surd_decompose: 'surd.md',
      full_analysis: 'integration.md',
      analyze_conversation: 'conversation.md',
      analyze_corpus: 'corpus.md',
    };
    for (const [tool, file] of Object.entries(pages)) {
      const r = await server.client.readResource({ uri: `red-heart://docs/${tool}` });
      expect(r.contents[0].mimeType).toBe('text/markdown');
      expect(text(r)).toBe(readFileSync(join(ROOT, 'docs', file), 'utf8'));
    }
    const card = await server.client.readResource({ uri: 'red-heart://model-card' });
    expect(text(card)).toBe(readFileSync(join(ROOT, 'models', 'MODEL_CARD.md'), 'utf8'));
    const status = JSON.parse(text(await server.client.readResource({ uri: 'red-heart://status' })));
    expect(status.name).toBe('red-heart-mcp');
  });

  it('an unknown tool page is an error naming the known tools', async () => {
    await expect(server.client.readResource({ uri: 'red-heart://docs/nope' })).rejects.toThrow(
      /no docs for tool 'nope': known tools are analyze_emotion, bentham_score/,
    );
  });
});
