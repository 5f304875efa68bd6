// The built stdio server with the ensemble fixture as the default model (test/fixtures/ensemble): analyze_emotion
// answers from the ensemble, with the ensemble's own thresholds, and red-heart://status lists its members.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './harness.js';

const DIR = resolve(ROOT, 'test/fixtures/ensemble');
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
const ENSEMBLE = MANIFEST.ensembles[0];

describe('analyze_emotion over MCP with an ensemble as the default model', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { RED_HEART_MODELS_DIR: DIR, RED_HEART_PROVIDER: 'cpu', RED_HEART_THREADS: '1' },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers from the ensemble with its thresholds; status lists the members and the total parameters', async () => {
    const r = (await server.client.callTool({
      name: 'analyze_emotion',
      arguments: { text: 'I am so happy', top_k: 28 },
    })) as {
      isError?: boolean;
      structuredContent?: Record<string, any>;
    };
    expect(r.isError ?? false).toBe(false);
    const s = r.structuredContent!;
    expect(s.model).toMatchObject({ id: 'fixture-ensemble', version: '0.1.0' });
    const result = s.results[0];
    expect(result.language).toBe('en');
    const labels: string[] = MANIFEST.models[0].outputs.goemotions_logits.labels;
    expect(result.detected.length).toBeGreaterThan(0);
    for (const d of result.detected)
      expect(d.threshold).toBe(ENSEMBLE.thresholds.goemotions_logits[labels.indexOf(d.label)]);

    const res = await server.client.readResource({ uri: 'red-heart://status' });
    const e = JSON.parse((res.contents[0] as { text: string }).text).engine;
    expect(e.state).toBe('ready');
    expect(e.model).toMatchObject({
      kind: 'ensemble',
      id: 'fixture-ensemble',
      parameters: MANIFEST.models[0].parameters + MANIFEST.models[1].parameters,
    });
    expect(e.model.sha256.slice(0, 12)).toBe(s.model.sha256);
    expect(
      e.model.members.map((m: any) => ({
        id: m.id,
        version: m.version,
        sha256_prefix: m.sha256_prefix,
        parameters: m.parameters,
      })),
    ).toEqual(
      MANIFEST.models.map((m: any) => ({
        id: m.id,
        version: m.version,
        sha256_prefix: m.sha256.slice(0, 12),
        parameters: m.parameters,
      })),
    );
    expect(e.available_ensembles.map((x: any) => x.id)).toEqual(['fixture-ensemble']);
  });
});
