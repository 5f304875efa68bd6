// Conversation analysis: per-speaker filtered trajectories, change points, lag-1 influence, and a
// state token that lets a caller continue a conversation. Pure; docs/conversation.md documents every rule.
export * from './params.js';
export { initLevel, processNoise, stepLevel, type LevelState } from './filter.js';
export { emptyChange, stepChange, type Alarm, type ChangeState, type Dimension, type Direction } from './cusum.js';
export { BINS, CELLS, cell, followFromTable, pairInfluence, valenceBin, type PairInfluence } from './influence.js';
export { EXACT_MAX, follow, FOLLOW_MIN_PAIRS, FOLLOW_PERMUTATIONS, SLOPE_LIMIT, type Follow } from './follow.js';
export * from './tracker.js';
