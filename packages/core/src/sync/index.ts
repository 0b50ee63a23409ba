export * from './conflict-rule.js';
export * from './clock.js';
export * from './time-trust.js';
export * from './blank.js';
export * from './apply-plan.js';
