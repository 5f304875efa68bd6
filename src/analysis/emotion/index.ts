export * from './profile.js';
export * from './detail.js';
export * from './one-sentiment.js';
export * from './document.js';
