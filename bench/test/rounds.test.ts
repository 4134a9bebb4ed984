// The alternating rounds every comparison of the benchmark runs in.
import { describe, expect, it } from 'vitest';
import { alternatingRounds, roundOrder } from '../src/rounds.ts';

describe('roundOrder', () => {
  it('keeps the order in even rounds and reverses it in odd ones', () => {
    expect(roundOrder(0, ['a', 'b'])).toEqual(['a', 'b']);
    expect(roundOrder(1, ['a', 'b'])).toEqual(['b', 'a']);
    expect(roundOrder(2, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});

describe('alternatingRounds', () => {
  it("runs in alternating order and hands back each round's results in the items' order", async () => {
    const ran: string[] = [];
    const seen: string[][] = [];
    const rounds = await alternatingRounds(
      3,
      ['api', 'ref'],
      async (name) => {
        ran.push(name);
        return `${name}${ran.length}`;
      },
      (results, round) => seen.push([String(round), ...results]),
    );
    expect(ran).toEqual(['api', 'ref', 'ref', 'api', 'api', 'ref']);
    expect(rounds).toEqual([
      ['api1', 'ref2'],
      ['api4', 'ref3'],
      ['api5', 'ref6'],
    ]);
    expect(seen).toEqual([
      ['0', 'api1', 'ref2'],
      ['1', 'api4', 'ref3'],
      ['2', 'api5', 'ref6'],
    ]);
  });
});
