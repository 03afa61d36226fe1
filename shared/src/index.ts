export * from './ids.js';
export * from './errors.js';
export * from './close-codes.js';
export * from './text.js';
export * from './api-types.js';
export * from './discussion/index.js';
export * from './permissions/index.js';
export * from './validation/index.js';
