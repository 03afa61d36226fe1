export * from './api.js';
export * from './update-rules.js';
