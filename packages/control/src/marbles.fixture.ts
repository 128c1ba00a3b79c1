import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose assertions are Jest's deep equality. */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/**
 * A marble diagram from `[timeMs, letter]` pairs, for timelines measured in seconds where a
 * hand-written diagram would hide its numbers: `marble([0, 'a'], [1000, 'b'])` is `'a 999ms b'`.
 * Letters at the same time form a group.
 */
export function marble(...events: readonly (readonly [number, string])[]): string {
  const byTime = new Map<number, string>();
  for (const [atMs, letter] of events) byTime.set(atMs, (byTime.get(atMs) ?? '') + letter);
  let frame = 0;
  let diagram = '';
  for (const atMs of [...byTime.keys()].sort((a, b) => a - b)) {
    const letters = byTime.get(atMs) as string;
    if (atMs < frame) throw new Error(`marble: ${atMs} ms falls inside the previous group`);
    if (atMs > frame) diagram += ` ${atMs - frame}ms `;
    diagram += letters.length > 1 ? `(${letters})` : letters;
    frame = atMs + (letters.length > 1 ? letters.length + 2 : 1);
  }
  return diagram.trim();
}
