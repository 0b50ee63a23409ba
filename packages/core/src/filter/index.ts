export * from './sync-filter.js';
export * from './filter-tsv.js';
