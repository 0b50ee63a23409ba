/**
 * Per-path debounce: a path is reported once it has not changed for `delayMs` (the protocol's
 * 2 s "after the file stops changing"). Paths that settle together are reported together.
 */
export class Debouncer {
  private timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly delayMs: number,
    private readonly onSettled: (paths: string[]) => void,
  ) {}

  touch(path: string): void {
    const old = this.timers.get(path);
    if (old) clearTimeout(old);
    this.timers.set(
      path,
      setTimeout(() => {
        this.timers.delete(path);
        this.onSettled([path]);
      }, this.delayMs),
    );
  }

  get pending(): number {
    return this.timers.size;
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
