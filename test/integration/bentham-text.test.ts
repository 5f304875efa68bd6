// bentham_score from text on the shipped model: the ethical score is a continuous function of the model's polarity
// (docs/bentham.md, "Estimating from text"), so varied texts get varied scores — not one of two values.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './harness.js';
import { requirement } from '../helpers/require.js';

const MODELS = process.env.RED_HEART_REAL_MODELS_DIR
  ? resolve(process.env.RED_HEART_REAL_MODELS_DIR)
  : resolve(ROOT, 'models');
const REAL =
  requirement(
    'bentham_score from text on the shipped model',
    existsSync(join(MODELS, 'manifest.json')) ? null : `${join(MODELS, 'manifest.json')} is not there`,
    'model',
  ) === null;

const TEXTS = [
  'I volunteered at the shelter and the kids were overjoyed when we brought the new books.',
  'We fired half the staff on Christmas Eve to hit the quarterly target.',
  'The council repaired the bridge, so the commute is a little shorter now.',
  'I told my friend a white lie so she would not worry before her exam.',
  'The factory keeps dumping waste into the river and the fish are dying.',
  'My neighbour returned the wallet I lost, with every card still inside.',
  'They cancelled the concert at the last minute and refunded only half the ticket price.',
  'She spent the weekend caring for her sick grandmother, tired but glad she could help.',
  '회사가 약속한 보너스를 주지 않아서 직원들이 크게 실망했다.',
  '동네 사람들이 힘을 모아 놀이터를 새로 고쳤고 아이들이 정말 좋아했다.',
];

describe.skipIf(!REAL)(
  `bentham_score from text on the shipped model${REAL ? '' : ' — SKIPPED: models/manifest.json is not installed'}`,
  () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ env: { RED_HEART_PROVIDER: 'cpu', RED_HEART_MODELS_DIR: MODELS } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('ten varied texts give ten different ethical scores, each ½(1 + tanh(2p − 1)) of its own P(positive)', async () => {
      const scores: number[] = [];
      for (const scenario of TEXTS) {
        const r = (await server.client.callTool({ name: 'bentham_score', arguments: { scenario } })) as {
          isError?: boolean;
          structuredContent?: Record<string, any>;
        };
        expect(r.isError ?? false).toBe(false);
        const s = r.structuredContent!;
        const p = s.estimation.signals.positive as number;
        expect(s.ethical_score).toBeCloseTo(0.5 * (1 + Math.tanh(2 * p - 1)), 9);
        scores.push(s.ethical_score as number);
      }
      expect(new Set(scores.map((x) => x.toFixed(4))).size).toBe(10);
    });
  },
);
