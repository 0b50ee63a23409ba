export * from './key/index.js';
