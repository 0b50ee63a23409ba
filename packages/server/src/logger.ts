/**
 * pino with redaction: credentials never reach the log, wherever they appear in a logged object
 * (request headers, bodies, error details). Fastify's default request serializer logs only
 * method/url/host/remote address; these paths catch what a handler logs on top.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

const SECRET_FIELDS = ['password', 'currentPassword', 'newPassword', 'apiKey', 'token', 'pollToken', 'jwtSecret', 'secretAccessKey'];
const SECRET_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["set-cookie"]'];

/**
 * Explicit paths only (no `*` wildcards, which make every log call several times slower):
 * secrets at the top level, in `body`/`data`/`details`, and credential headers under `headers`,
 * `req.headers` and `res.headers`. Log request bodies as `{ body }` so these paths apply.
 */
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...['body', 'data', 'details', 'input'].flatMap((parent) => SECRET_FIELDS.map((f) => `${parent}.${f}`)),
  ...['headers', 'req.headers', 'res.headers'].flatMap((parent) => SECRET_HEADERS.map((h) => (h.startsWith('[') ? `${parent}${h}` : `${parent}.${h}`))),
  'config.jwtSecret',
  'config.s3.secretAccessKey',
  's3.secretAccessKey',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
