export * from './mappings.js';
export * from './profile.js';
export * from './detail.js';
