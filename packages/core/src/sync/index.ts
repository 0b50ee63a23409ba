export * from './conflict-rule.js';
export * from './clock.js';
export * from './apply-plan.js';
