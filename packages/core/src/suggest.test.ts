import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './suggest.ts';

describe('suggest', () => {
  it('edit distance', () => {
    expect(editDistance('bench torh', 'bench torch')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests close names only', () => {
    expect(didYouMean('pick_plce', ['stack', 'pick_place', 'push'])).toBe('pick_place');
    expect(didYouMean('DEMO', ['demo', 'small'])).toBe('demo');
    expect(didYouMean('zzzzzzzz', ['demo', 'small'])).toBeUndefined();
  });
});
