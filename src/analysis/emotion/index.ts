export * from './profile.js';
export * from './detail.js';
