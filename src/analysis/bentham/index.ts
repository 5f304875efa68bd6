export * from './calculus.js';
export * from './layers.js';
export * from './text.js';
