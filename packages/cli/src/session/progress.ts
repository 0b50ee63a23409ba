/** A one-line progress bar on a terminal for transfers over ~1 MB (nothing when not a TTY). */
import type { Progress } from '../net/remote.js';

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): (label: string, total: number) => Progress | undefined {
  if (!stream.isTTY) return () => undefined;
  return (label) => {
    let last = -1;
    return (done, total) => {
      if (total < 1_000_000) return;
      const pct = Math.floor((done / total) * 100);
      if (pct === last) return;
      last = pct;
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      const mb = (n: number) => (n / 1_048_576).toFixed(1);
      stream.write(`\r${label.slice(0, 40).padEnd(40)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${mb(done)}/${mb(total)} MB`);
      if (done >= total) stream.write('\n');
    };
  };
}
