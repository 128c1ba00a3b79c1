/**
 * A cheap assertion for property loops that check thousands of steps: Jest's `expect` costs too
 * much there. Throws with the message and the offending values so fast-check can shrink.
 */
export function invariant(holds: boolean, message: string, ...context: unknown[]): void {
  if (!holds) throw new Error(`${message}: ${JSON.stringify(context)}`);
}
