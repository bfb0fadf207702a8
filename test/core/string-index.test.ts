import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringIndex } from '../../src/core/string-index.js';

test('StringIndex keeps the first value of each key, finds every key after growing, and answers -1 for others', () => {
  const index = new StringIndex(2); // grows many times over
  const keys = Array.from({ length: 5000 }, (_, i) => `Place_${i}`);
  for (let i = 0; i < keys.length; i++) assert.equal(index.add(keys[i], i), -1);
  assert.equal(index.size, keys.length);
  // Equal strings that are other objects find the same entry; a second add keeps the first value.
  for (let i = 0; i < keys.length; i++) assert.equal(index.get(`Place_${i}`), i);
  assert.equal(index.add('Place_42', 7), 42);
  assert.equal(index.get('Place_42'), 42);
  for (const other of ['', 'Place_', 'Place_5000', '__proto__', 'constructor']) assert.equal(index.get(other), -1);
  assert.equal(index.add('', 0), -1);
  assert.equal(index.get(''), 0);
});
