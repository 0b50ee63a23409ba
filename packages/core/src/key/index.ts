export * from './save-key.js';
