export * from './mappings.js';
export * from './profile.js';
