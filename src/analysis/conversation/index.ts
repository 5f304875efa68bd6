// Conversation analysis (issue 15): per-speaker filtered trajectories, change points, lag-1 influence, and a
// state token that lets a caller continue a conversation. Pure; docs/conversation.md documents every rule.
export * from './params.js';
export { initLevel, processNoise, stepLevel, type LevelState } from './filter.js';
export { emptyChange, stepChange, type Alarm, type ChangeState, type Dimension, type Direction } from './cusum.js';
export { BINS, CELLS, cell, pairInfluence, valenceBin, type PairInfluence } from './influence.js';
export * from './tracker.js';
