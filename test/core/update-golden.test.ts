/** `UPDATE_GOLDEN=1` rewrites golden files locally, never under CI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateGoldenRequested } from '../support/golden.js';

test('UPDATE_GOLDEN=1 is honoured locally and refused when CI is set', () => {
  assert.equal(updateGoldenRequested({}), false);
  assert.equal(updateGoldenRequested({ UPDATE_GOLDEN: '1' }), true);
  assert.equal(updateGoldenRequested({ CI: 'true' }), false);
  assert.throws(() => updateGoldenRequested({ UPDATE_GOLDEN: '1', CI: 'true' }), /refused when CI is set/);
});
