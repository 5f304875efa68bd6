// tools/list as a host passes it to its model: its size, descriptions that match the served model's manifest (the
// shipped model and the v2 fixture, which adds Chinese and Japanese), and output schemas that an MCP client can
// still validate results against (the SDK client compiles each outputSchema, $refs included, and checks every
// structuredContent with it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './harness.js';

/** The bound README states for the serialized tools/list result (all tools). */
const MAX_TOOLS_LIST_CHARS = 40_000;
const MAX_DESCRIPTION_CHARS = 1_200;
/** With --memory, three more tools (remember, recall, forget): the bound README states for that configuration. */
const MAX_TOOLS_LIST_CHARS_WITH_MEMORY = 47_000;

describe('tools/list with the shipped model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it(`is at most ${MAX_TOOLS_LIST_CHARS} characters serialized, every tool keeping an output schema`, async () => {
    const list = await server.client.listTools();
    const chars = JSON.stringify(list).length;
    expect(chars).toBeLessThanOrEqual(MAX_TOOLS_LIST_CHARS);
    for (const tool of list.tools) {
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(Object.keys(tool.outputSchema?.properties ?? {}).length, tool.name).toBeGreaterThan(2);
    }
  });

  it(`has descriptions of at most ${MAX_DESCRIPTION_CHARS} characters that name the shipped model's languages only`, async () => {
    const { tools } = await server.client.listTools();
    for (const tool of tools) expect(tool.description!.length, tool.name).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
    const emotion = tools.find((t) => t.name === 'analyze_emotion')!.description!;
    expect(emotion).toMatch(/reads English and Korean/);
    expect(emotion).not.toMatch(/Chinese|Japanese|CPED|Plutchik/);
    // How to read the numbers: window aggregation and which head each number comes from.
    expect(emotion).toMatch(/maximum over windows/);
    expect(emotion).toMatch(/polarity head/);
    const conversation = tools.find((t) => t.name === 'analyze_conversation')!.description!;
    expect(conversation).toMatch(/about 42 turns/);
    const surd = tools.find((t) => t.name === 'surd_decompose')!.description!;
    // 10 samples per cell of 8^(sources+1) cells at the default 8 bins.
    expect(surd).toContain('640 samples for 1 source, 5,120 samples for 2 sources, 40,960 samples for 3 sources');
  });

  it('names every tool in the server instructions', async () => {
    const instructions = server.client.getInstructions() ?? '';
    const { tools } = await server.client.listTools();
    for (const tool of tools) expect(instructions).toContain(tool.name);
  });

  it('results still validate against the listed output schemas in the SDK client (it throws on a mismatch)', async () => {
    await server.client.listTools();
    const calls: Array<[string, Record<string, unknown>]> = [
      ['analyze_emotion', { texts: ['I love this.', 'This is awful.'], granularity: 'sentence', detail: 'full' }],
      ['surd_decompose', { target: [0, 1, 0, 1, 1, 0, 1, 0], sources: [[1, 0, 1, 0, 0, 1, 0, 1]], bins: 2 }],
      [
        'regret_forecast',
        {
          options: [{ name: 'a' }, { name: 'b' }],
          scenarios: [{ name: 's1' }, { name: 's2' }],
          outcomes: [
            [1, 0],
            [0, 2],
          ],
        },
      ],
      ['full_analysis', { text: 'I broke my promise to a friend, and I regret it.' }],
    ];
    for (const [name, args] of calls) {
      const r = await server.client.callTool({ name, arguments: args });
      expect(r.isError, `${name}: ${JSON.stringify(r.content).slice(0, 300)}`).toBeFalsy();
      expect(r.structuredContent, name).toBeTruthy();
    }
  });

  it('serves the full output schema of each tool as a resource', async () => {
    const r = await server.client.readResource({ uri: 'red-heart://schema/analyze_emotion' });
    const schema = JSON.parse((r.contents[0] as { text: string }).text);
    expect(JSON.stringify(schema)).toContain('"sentences"');
    expect(JSON.stringify(schema).length).toBeGreaterThan(
      JSON.stringify((await server.client.listTools()).tools.find((t) => t.name === 'analyze_emotion')!.outputSchema)
        .length,
    );
  });
});

describe('tools/list with the v2 fixture model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RED_HEART_MODELS_DIR: resolve(ROOT, 'test/fixtures/model-v2') } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('adds Chinese and Japanese, the CPED labels and Plutchik-8 from the manifest', async () => {
    const { tools } = await server.client.listTools();
    const emotion = tools.find((t) => t.name === 'analyze_emotion')!.description!;
    expect(emotion).toMatch(/reads English, Korean, Chinese and Japanese/);
    expect(emotion).toMatch(/zh: CPED 13/);
    expect(emotion).toMatch(/Plutchik-8/);
    expect(emotion).toMatch(/fixture-v2 0\.0\.2/);
    for (const tool of tools) expect(tool.description!.length, tool.name).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
    expect(JSON.stringify({ tools }).length).toBeLessThanOrEqual(MAX_TOOLS_LIST_CHARS);
  });
});

describe('tools/list with the experience memory on', () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tool-list-memory-'));
    server = await startServer({ args: ['--memory', join(dir, 'memory.sqlite')] });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`lists the memory tools too, in at most ${MAX_TOOLS_LIST_CHARS_WITH_MEMORY} characters`, async () => {
    const list = await server.client.listTools();
    expect(list.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['remember', 'recall', 'forget']));
    expect(JSON.stringify(list).length).toBeLessThanOrEqual(MAX_TOOLS_LIST_CHARS_WITH_MEMORY);
    for (const tool of list.tools)
      expect(tool.description!.length, tool.name).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
  });
});
