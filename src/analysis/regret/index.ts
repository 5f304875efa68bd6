export * from './calculus.js';
export * from './ties.js';
export * from './validate.js';
export * from './text.js';
