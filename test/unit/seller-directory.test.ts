import { describe, expect, it } from 'vitest';
import { SellerDirectory } from '../../shared/core/usecases/seller-directory.js';

/** A lookup standing for the one BatchGetItem, recording each call's ids. */
function registry(names: Record<string, string>) {
  const calls: string[][] = [];
  const lookup = async (ids: readonly string[]) => {
    calls.push([...ids]);
    return new Map(ids.filter((id) => id in names).map((id) => [id, names[id] as string]));
  };
  return { calls, lookup, names };
}

describe('SellerDirectory', () => {
  it('looks the sellers of a first order up together once, then answers from memory', async () => {
    const { calls, lookup } = registry({ a: 'A SARL', b: 'B SAS' });
    const directory = new SellerDirectory();
    expect(await directory.legalNames(['a', 'b', 'a'], lookup)).toEqual(
      new Map([
        ['a', 'A SARL'],
        ['b', 'B SAS'],
      ]),
    );
    expect(await directory.legalNames(['b', 'a'], lookup)).toEqual(
      new Map([
        ['b', 'B SAS'],
        ['a', 'A SARL'],
      ]),
    );
    expect(calls).toEqual([['a', 'b']]);
  });

  it('never remembers an unknown seller, so one registered a moment later is accepted', async () => {
    const { calls, lookup, names } = registry({ a: 'A SARL' });
    const directory = new SellerDirectory();
    expect((await directory.legalNames(['a', 'late'], lookup)).has('late')).toBe(false);
    names.late = 'Late SAS';
    expect((await directory.legalNames(['a', 'late'], lookup)).get('late')).toBe('Late SAS');
    expect(calls).toEqual([['a', 'late'], ['late']]);
  });

  it('reads a name again once it is older than its lifetime: a rename shows within that bound', async () => {
    let now = 0;
    const { calls, lookup, names } = registry({ a: 'Old name SARL' });
    const directory = new SellerDirectory(60_000, 10, () => now);
    await directory.legalNames(['a'], lookup);
    names.a = 'New name SAS';
    now = 60_000;
    expect((await directory.legalNames(['a'], lookup)).get('a')).toBe('Old name SARL');
    now = 60_001;
    expect((await directory.legalNames(['a'], lookup)).get('a')).toBe('New name SAS');
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('forgets the oldest seller when full', async () => {
    const { calls, lookup } = registry({ a: 'A', b: 'B', c: 'C' });
    const directory = new SellerDirectory(60_000, 2);
    await directory.legalNames(['a', 'b'], lookup);
    directory.remember('c', 'C');
    await directory.legalNames(['b', 'c', 'a'], lookup);
    expect(calls).toEqual([['a', 'b'], ['a']]);
  });
});
