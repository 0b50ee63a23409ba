/** The log format: JSON lines for machines, one readable line for a person (LOG_FORMAT / a terminal). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));

function logOnce(format: string): string {
  const script = `import(${JSON.stringify(LOGGER)}).then((m) => m.createLogger('info', undefined, ${JSON.stringify(format)}).info({ body: { password: 'hunter22' }, route: '/api/sync/files' }, 'request done'))`;
  return execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', '-e', script], { encoding: 'utf8' });
}

describe('createLogger', () => {
  it('writes one JSON object per line by default (stdout is not a terminal here)', () => {
    const line = JSON.parse(logOnce('auto').trim());
    expect(line).toMatchObject({ level: 30, msg: 'request done', route: '/api/sync/files', body: { password: '[redacted]' } });
  });

  it('LOG_FORMAT=pretty writes a line a person reads, still redacted', () => {
    const out = logOnce('pretty');
    expect(out.trim().startsWith('{')).toBe(false);
    expect(out).toMatch(/INFO.*request done/);
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('hunter22');
  });
});
