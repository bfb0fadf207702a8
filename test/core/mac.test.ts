import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMac, normaliseMac } from '../../src/core/mac.js';

test('normaliseMac gives 12 lower-case hex digits for every notation, and isMac agrees with it', () => {
  const cases: [string, string | undefined][] = [
    ['00:15:65:12:34:AB', '0015651234ab'],
    ['00-15-65-12-34-ab', '0015651234ab'],
    ['0015.6512.34aB', '0015651234ab'],
    ['0015651234AB', '0015651234ab'],
    ['0015651234ab', '0015651234ab'],
    ['001565.1234ab', '0015651234ab'],
    [' 00:15:65:12:34:ab ', '0015651234ab'],
    ['00:15-65:12:34:ab', undefined],
    ['0015.6512-34ab', undefined],
    ['00:15:65:12:34:ag', undefined],
    ['00:15:65:12:34:a', undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) {
    assert.equal(normaliseMac(input), want, input);
    assert.equal(isMac(input), want !== undefined, input);
  }
});
