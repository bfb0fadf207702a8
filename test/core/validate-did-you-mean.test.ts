import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance } from '../../src/core/validate/did-you-mean.js';

describe('did-you-mean', () => {
  it('edit distance counts a transposition as one edit', () => {
    assert.equal(editDistance('wset', 'west'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });

  const models = ['yealink-t54w', 'yealink-t46u', 'alcatel-4028', 'alcatel-4068', 'poly-vvx450', 'baresip'];
  const table: [string, string[], string | undefined][] = [
    ['yealink-t54', models, 'yealink-t54w'],
    ['Yealink_T54W', models, 'yealink-t54w'],
    ['t54w', models, 'yealink-t54w'],
    ['4028', models, 'alcatel-4028'],
    ['vvx450', models, 'poly-vvx450'],
    ['bareisp', models, 'baresip'],
    ['completely-different', models, undefined],
    ['prefferedSite', ['mac', 'model', 'place', 'preferredSite', 'registration'], 'preferredSite'],
    ['wset', ['east', 'west', 'auto'], 'west'],
    ['x', ['east', 'west'], undefined],
  ];
  for (const [input, candidates, want] of table) {
    it(`${input} → ${want ?? '(nothing)'}`, () => assert.equal(didYouMean(input, candidates), want));
  }
});
