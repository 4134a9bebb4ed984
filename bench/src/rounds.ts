// Alternating rounds, the benchmark's one way to compare runs taken seconds apart: each round
// runs every contender once, and which one goes first alternates, so none always gets the warmer
// (or the busier) machine.

/** The order of `items` in round `round`: as given in even rounds, reversed in odd ones. */
export function roundOrder<T>(round: number, items: readonly T[]): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/**
 * `count` rounds of `run` on every item, in roundOrder. Each round's results come in the items'
 * own order, whatever order they ran in; `afterRound` sees them as soon as the round is over.
 */
export async function alternatingRounds<T, R>(
  count: number,
  items: readonly T[],
  run: (item: T) => Promise<R>,
  afterRound?: (results: R[], round: number) => void,
): Promise<R[][]> {
  const rounds: R[][] = [];
  for (let round = 0; round < count; round++) {
    const results = new Map<T, R>();
    for (const item of roundOrder(round, items)) results.set(item, await run(item));
    const inOrder = items.map((item) => results.get(item) as R);
    afterRound?.(inOrder, round);
    rounds.push(inOrder);
  }
  return rounds;
}
