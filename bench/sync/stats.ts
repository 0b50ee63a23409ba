/** Percentiles and formatting for the sync bench. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function summary(values: number[], ps = [50, 95, 99]): string {
  return ps.map((p) => `p${p} ${ms(percentile(values, p))}`).join(', ') + ` (n=${values.length})`;
}
