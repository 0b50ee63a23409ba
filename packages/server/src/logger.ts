/**
 * pino with redaction: credentials never reach the log, wherever they appear in a logged object
 * (request headers, bodies, error details). Fastify's default request serializer logs only
 * method/url/host/remote address; these paths catch anything a handler logs on top.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.apiKey',
  '*.token',
  '*.pollToken',
  '*.jwtSecret',
  '*.secretAccessKey',
  'password',
  'apiKey',
  'token',
  'pollToken',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
