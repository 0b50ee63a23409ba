/**
 * TSV for shell clients: a header line of column names, then one line per row. Values: null →
 * empty, booleans → true/false, tabs/newlines/backslashes escaped as \t \n \r \\.
 */
import type { FastifyRequest } from 'fastify';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function toTsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const lines = [columns.join('\t')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** `?format=tsv`, or an Accept header that names TSV before (or instead of) JSON. */
export function wantsTsv(req: FastifyRequest, query: Record<string, unknown> | undefined): boolean {
  if (query?.format === 'tsv') return true;
  const accept = req.headers.accept ?? '';
  const tsv = accept.indexOf('text/tab-separated-values');
  if (tsv < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || tsv < json;
}
