export * from './schema.js';
export * from './record.js';
export * from './meta.js';
export * from './messages.js';
export * from './reads.js';
export * from './pins.js';
export * from './last-message.js';
