export * from './fold.js';
export * from './stop-words.js';
export * from './query.js';
export * from './snippet.js';
export * from './discussion-index.js';
export * from './search-index.js';
export { MINISEARCH_OPTIONS, fuzzyDistance } from './search-model.js';
export * from './from-doc.js';
