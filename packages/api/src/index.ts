export * from './errors.js';
export * from './contract.js';
export * from './schemas.js';
export * from './routes/index.js';
export * from './sync/index.js';
export { generateOpenApi, renderOpenApi } from './openapi.js';
export { createApiClient, type ApiClient, type ApiClientOptions, type CallInput } from './client.js';
