// How often the experience memory's neighbours agree with the model over a corpus (analyze_corpus with
// memory: true): per row, the label with the highest neighbour vote against the model's top label, in the row's
// native label set (GoEmotions or KOTE) and in Ekman's groups, counted with the most frequent disagreements.

export type VoteSet = 'goemotions' | 'kote' | 'ekman';

export interface Agreement {
  /** Rows with a vote > 0 in this comparison's label sets. */
  rows: number;
  /** Of those, rows whose model label is a label with the highest vote (ties: any of the tied labels agrees). */
  agree: number;
  /** agree / rows; null without rows. */
  share: number | null;
}

export interface MemoryAgreementSummary {
  /** Rows given a memory block. */
  rows: number;
  /** Rows with at least one labelled neighbour. */
  rows_with_neighbours: number;
  /** The model's top label in the row's own label set (GoEmotions for en/ja, KOTE for ko) against the top vote there. */
  labels: Agreement;
  /** The model's dominant Ekman group against the top Ekman vote. */
  ekman: Agreement;
  /** The most frequent (model label, top vote label) pairs among disagreeing rows, most rows first. */
  disagreements: Array<{ set: VoteSet; model: string; memory: string; rows: number }>;
}

const share = (a: { rows: number; agree: number }): Agreement => ({
  rows: a.rows,
  agree: a.agree,
  share: a.rows ? a.agree / a.rows : null,
});

/** The labels with the highest vote (> 0), or none. */
export function topVoted(votes: ReadonlyArray<{ label: string; vote: number }>): string[] {
  const max = votes.reduce((m, v) => Math.max(m, v.vote), 0);
  return max > 0 ? votes.filter((v) => v.vote === max).map((v) => v.label) : [];
}

export class MemoryAgreement {
  private rows = 0;
  private withNeighbours = 0;
  private readonly labels = { rows: 0, agree: 0 };
  private readonly ekman = { rows: 0, agree: 0 };
  private readonly pairs = new Map<string, { set: VoteSet; model: string; memory: string; rows: number }>();

  constructor(private readonly listed = 10) {}

  /**
   * One row: how many neighbours it had; the model's top label in its own set with that set's votes (absent for a
   * row whose set has no votes, e.g. CPED for zh); the model's Ekman group with the Ekman votes.
   */
  add(row: {
    neighbours: number;
    native?: { set: VoteSet; label: string; votes: ReadonlyArray<{ label: string; vote: number }> };
    ekman: { label: string; votes: ReadonlyArray<{ label: string; vote: number }> };
  }): void {
    this.rows++;
    if (row.neighbours > 0) this.withNeighbours++;
    if (row.native) this.compare(row.native.set, row.native.label, row.native.votes, this.labels);
    this.compare('ekman', row.ekman.label, row.ekman.votes, this.ekman);
  }

  private compare(
    set: VoteSet,
    label: string,
    votes: ReadonlyArray<{ label: string; vote: number }>,
    tally: { rows: number; agree: number },
  ): void {
    const top = topVoted(votes);
    if (top.length === 0) return;
    tally.rows++;
    if (top.includes(label)) {
      tally.agree++;
      return;
    }
    const memory = [...top].sort()[0]; // a tie among other labels: the first name, so the count is deterministic
    const key = `${set}\u0000${label}\u0000${memory}`;
    const p = this.pairs.get(key);
    if (p) p.rows++;
    else this.pairs.set(key, { set, model: label, memory, rows: 1 });
  }

  summary(): MemoryAgreementSummary {
    return {
      rows: this.rows,
      rows_with_neighbours: this.withNeighbours,
      labels: share(this.labels),
      ekman: share(this.ekman),
      disagreements: [...this.pairs.values()]
        .sort(
          (a, b) =>
            b.rows - a.rows ||
            a.set.localeCompare(b.set) ||
            a.model.localeCompare(b.model) ||
            a.memory.localeCompare(b.memory),
        )
        .slice(0, this.listed)
        .map((p) => ({ ...p })),
    };
  }
}
