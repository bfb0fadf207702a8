/**
 * GenerateOptions.polyMaster (generate --poly-master): the pure pipeline adds the Poly site master
 * phones/poly/000000000000.cfg to the plan, and nothing else changes; without it no master is written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/core/catalogue.js';
import { planOutputs } from '../../src/core/generate.js';
import { loadInventory } from '../../src/core/load.js';
import { fixturePath } from '../support/golden.js';

test('polyMaster adds exactly phones/poly/000000000000.cfg (not secret), naming [PHONE_MAC_ADDRESS]-sipbc.cfg', () => {
  const loaded = loadInventory(fixturePath('001-realistic', 'inventory.yaml'));
  const cat = loadCatalogue();
  const without = planOutputs(loaded, cat, { redact: true, env: {} });
  const withMaster = planOutputs(loaded, cat, { redact: true, env: {}, polyMaster: true });
  assert.deepEqual(
    without.findings.filter((f) => f.severity === 'error'),
    [],
  );
  const extra = withMaster.files.filter((f) => !without.files.some((g) => g.path === f.path));
  assert.deepEqual(
    extra.map((f) => [f.path, f.secret]),
    [['phones/poly/000000000000.cfg', false]],
  );
  assert.match(extra[0].contents, /CONFIG_FILES="\[PHONE_MAC_ADDRESS\]-sipbc\.cfg"/);
  assert.deepEqual(
    withMaster.files.filter((f) => f !== extra[0]).map((f) => f.contents),
    without.files.map((f) => f.contents),
  );
  assert.ok(!without.files.some((f) => /^phones\/poly\/[0-9a-f]{12}\.cfg$/.test(f.path)), 'no per-phone Poly master');
});
