// What the memory tools need from the experience store (implemented by src/server/memory/store.ts). Present in
// ToolServices only when the user turned memory on (--memory PATH / RED_HEART_MEMORY).

/** Labels a case carries, by label set (names checked against the model's lists before they get here). */
export interface MemoryLabels {
  goemotions?: string[];
  kote?: string[];
  ekman?: string[];
}

/** A decision and how it turned out. */
export interface MemoryDecision {
  options: string[];
  scenarios: string[];
  chosen: string;
  /** The scenario that happened (absent while it is not known yet). */
  happened?: string;
  /** The realised outcome of the chosen option (the caller's units). */
  outcome?: number;
  /** Regret realised: best outcome in the scenario that happened minus the chosen option's (needs outcomes). */
  regret?: number;
  /** The options × scenarios outcome matrix, when the caller gave it. */
  outcomes?: number[][];
}

export interface MemoryRecordInput {
  kind: 'case' | 'decision';
  /** The text that is embedded and searched: the case's text, or the decision's description. */
  text: string;
  labels: MemoryLabels;
  tags: string[];
  /** When it happened, ms since epoch. */
  time: number;
  decision?: MemoryDecision;
}

export interface MemoryRecord extends MemoryRecordInput {
  id: number;
  /** sha256 of the model whose embedding the record's vector is. */
  model: string;
  /** When it was stored, ms since epoch. */
  created: number;
}

export interface MemoryFilter {
  tags?: string[];
  since?: number;
  until?: number;
  kind?: 'case' | 'decision';
  /** Only records with labels in this set (the labelled cases a reading's memory block votes with). */
  labelled?: keyof MemoryLabels | 'any';
}

export interface MemorySelection {
  ids?: number[];
  tag?: string;
  since?: number;
  until?: number;
}

export interface MemoryStats {
  path: string;
  records: number;
  cases: number;
  decisions: number;
  /** Records whose vectors come from another model than `model` (not searched until re-embedded). */
  other_model: number;
  model: string | null;
  bytes: number;
}

/** What a search found: the k best records and how many records it compared (the model's, passing the filter). */
export interface MemoryMatch {
  matches: Array<{ record: MemoryRecord; similarity: number }>;
  searched: number;
}

export interface MemoryService {
  readonly path: string;
  /** Stores records with their int8 vectors (one transaction: all of them or none). */
  add(items: ReadonlyArray<{ record: MemoryRecordInput; vector: Int8Array }>, model: string): MemoryRecord[];
  /** The k records made with `model` most similar to `vector` (exact search), most similar first. */
  search(vector: Int8Array, k: number, model: string, filter?: MemoryFilter): MemoryMatch;
  /** Deletes the selected records and compacts, so their text is gone from the files. */
  remove(selection: MemorySelection): { removed: number; ids: number[] };
  /** Up to `limit` records made with another model than `model` with ids above `after`, oldest first (to re-embed). */
  otherModel(model: string, limit: number, after?: number): MemoryRecord[];
  /** Replaces the vector and model of existing records, all in one transaction; returns how many were changed. */
  replaceVectors(items: ReadonlyArray<{ id: number; vector: Int8Array }>, model: string): number;
  /** Counts; other_model against `model` (default: the model of the last add, search or prepare; 0 before any). */
  stats(model?: string): MemoryStats;
  /** Loads `model`'s search matrix ahead of the first search (optional: a search loads it anyway). */
  prepare?(model: string, dim: number): void;
}
