/** Server version reported by /healthz. Kept in step with packages/server/package.json. */
export const SERVER_VERSION = '0.1.0';
