/**
 * Items as they arrive from real I/O (log lines, MQTT messages), and waits for the first one from
 * an index on that matches. The cap only stops a broken peer from hanging a test; it is never a
 * timing assertion.
 */
export class Arrivals<T extends object> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  /** `what` names an item in the error; `describe` lists the items that did arrive. */
  constructor(
    private readonly what: string,
    private readonly describe: (arrived: readonly T[]) => string,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.waiters.forEach((check) => check());
  }

  waitFor(match: (item: T) => boolean, from: number, capMs: number): Promise<T & { index: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.items.findIndex((item, i) => i >= from && match(item));
        if (index < 0) return;
        done();
        resolve({ ...this.items[index], index });
      };
      const cap = setTimeout(() => {
        done();
        reject(
          new Error(`no matching ${this.what} within ${capMs} ms:\n${this.describe(this.items.slice(from))}`),
        );
      }, capMs);
      const done = () => {
        clearTimeout(cap);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
      };
      this.waiters.push(check);
      check();
    });
  }
}
