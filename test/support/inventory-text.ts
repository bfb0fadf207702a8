/**
 * Small inventories as YAML text for validation tests, and a helper that
 * finds where a token sits (1-based line:column) so tests can assert that a
 * finding points exactly at it.
 *
 *   const text = mutate(BASE_INVENTORY, ['model: yealink-t54w', 'model: yealink-t54']);
 *   const f = findingsOf(text);
 *   assertFindingAt(f, 'SIPBC-E-UNKNOWN-MODEL', text, 'yealink-t54 ');
 */
import assert from 'node:assert/strict';
import { loadCatalogue } from '../../src/core/catalogue.js';
import type { Finding } from '../../src/core/findings.js';
import { parseInventory } from '../../src/core/load.js';
import { validateInventory } from '../../src/core/validate/index.js';

/** A minimal valid inventory (zero findings): east = primary+backup, west = VIP. */
export const BASE_INVENTORY = `version: 1
dns: { zone: contoso.example }
sites:
  - id: east
    capacity: 10
    sipServer:
      primary: { host: a.east.contoso.example, address: 10.1.0.11 }
      backup: { host: b.east.contoso.example, address: 10.1.0.12 }
  - id: west
    sipServer:
      vip: { host: vip.west.contoso.example, address: 10.2.0.10 }
places:
  - { id: P1, extensions: { east: "1001", west: "1001" } }
  - { id: P2, extensions: { east: "1002", west: "1002" } }
agents:
  - { login: "7001", user: u1, place: P1, preferredSite: east }
  - { login: "7002", user: u2, place: P2, preferredSite: west }
phones:
  - { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: none }
  - { mac: "00:15:65:00:00:02", model: poly-vvx450, place: P2, auth: none }
switchDNs:
  - { number: "8000", type: acd-queue }
`;

/** Applies [from, to] replacements; each `from` must occur exactly once (so a test cannot silently miss). */
export function mutate(text: string, ...edits: [string, string][]): string {
  for (const [from, to] of edits) {
    const first = text.indexOf(from);
    assert.notEqual(first, -1, `mutate: "${from}" not found`);
    assert.equal(text.indexOf(from, first + 1), -1, `mutate: "${from}" occurs more than once`);
    text = text.slice(0, first) + to + text.slice(first + from.length);
  }
  return text;
}

/** 1-based line:column of the `nth` (0-based) occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, nth = 0): string {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    assert.notEqual(at, -1, `positionOf: occurrence ${nth} of "${needle}" not found`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${column}`;
}

export function validateText(text: string, file = 'inventory.yaml') {
  return validateInventory(parseInventory(text, file), loadCatalogue());
}

export function findingsOf(text: string): Finding[] {
  return validateText(text).findings;
}

/** `CODE@line:col` for each finding: compact and exact to compare with deepEqual. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code}@${f.line}:${f.column}`);
}

/** Asserts that there is a finding with `code` exactly at the `nth` occurrence of `needle`; returns it. */
export function assertFindingAt(findings: readonly Finding[], code: string, text: string, needle: string, nth = 0): Finding {
  const where = positionOf(text, needle, nth);
  const f = findings.find((x) => x.code === code && `${x.line}:${x.column}` === where);
  assert.ok(f, `expected ${code} at ${where} ("${needle}"), got:\n${findings.map((x) => `  ${x.code}@${x.line}:${x.column} ${x.message}`).join('\n')}`);
  return f;
}
