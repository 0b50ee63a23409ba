export * from './databases.js';
export * from './context.js';
export * from './fixtures.js';
