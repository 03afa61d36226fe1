export * from './backoff.js';
export * from './outbox.js';
export * from './doc-sync.js';
export * from './frames.js';
export * from './file-outbox.js';
