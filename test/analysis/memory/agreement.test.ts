// The memory's agreement with the model over a corpus (src/analysis/memory/agreement.ts), on hand-made rows.
import { describe, expect, it } from 'vitest';
import { MemoryAgreement, topVoted } from '../../../src/analysis/memory/agreement.js';

const v = (pairs: Record<string, number>) => Object.entries(pairs).map(([label, vote]) => ({ label, vote }));

describe('topVoted', () => {
  it('lists every label tied at the highest vote, and none when no vote is above 0', () => {
    expect(topVoted(v({ joy: 0.4, anger: 0.6, fear: 0.6 }))).toEqual(['anger', 'fear']);
    expect(topVoted(v({ joy: 0 }))).toEqual([]);
    expect(topVoted([])).toEqual([]);
  });
});

describe('MemoryAgreement', () => {
  it('counts agreement per comparison, ties as agreement, rows without votes outside the share', () => {
    const a = new MemoryAgreement(2);
    // 1: agrees in both
    a.add({
      neighbours: 3,
      native: { set: 'goemotions', label: 'joy', votes: v({ joy: 0.7, love: 0.3 }) },
      ekman: { label: 'joy', votes: v({ joy: 1 }) },
    });
    // 2: disagrees natively (anger vs sadness), agrees in Ekman through a tie (anger and sadness both 0.5)
    a.add({
      neighbours: 2,
      native: { set: 'goemotions', label: 'anger', votes: v({ sadness: 0.8, anger: 0.2 }) },
      ekman: { label: 'anger', votes: v({ anger: 0.5, sadness: 0.5 }) },
    });
    // 3: a KOTE row that disagrees; its Ekman tie among two other groups counts the first name (fear)
    a.add({
      neighbours: 1,
      native: { set: 'kote', label: '기쁨', votes: v({ 슬픔: 1 }) },
      ekman: { label: 'joy', votes: v({ sadness: 0.5, fear: 0.5 }) },
    });
    // 4: no labelled neighbours: in rows, in neither share
    a.add({
      neighbours: 0,
      native: { set: 'goemotions', label: 'joy', votes: [] },
      ekman: { label: 'joy', votes: [] },
    });
    // 5: a zh row (no native vote set) that disagrees in Ekman like row 3
    a.add({ neighbours: 4, ekman: { label: 'joy', votes: v({ fear: 0.9 }) } });
    expect(a.summary()).toEqual({
      rows: 5,
      rows_with_neighbours: 4,
      labels: { rows: 3, agree: 1, share: 1 / 3 },
      ekman: { rows: 4, agree: 2, share: 0.5 },
      // ekman joy→fear twice; then goemotions anger→sadness and kote 기쁨→슬픔 once each, by set name: 2 listed
      disagreements: [
        { set: 'ekman', model: 'joy', memory: 'fear', rows: 2 },
        { set: 'goemotions', model: 'anger', memory: 'sadness', rows: 1 },
      ],
    });
  });

  it('has no share without rows', () => {
    expect(new MemoryAgreement().summary()).toEqual({
      rows: 0,
      rows_with_neighbours: 0,
      labels: { rows: 0, agree: 0, share: null },
      ekman: { rows: 0, agree: 0, share: null },
      disagreements: [],
    });
  });
});
