export * from './key/index.js';
export * from './sync/index.js';
export * from './identity/index.js';
export * from './retroarch-cloud/index.js';
export * from './filter/index.js';
