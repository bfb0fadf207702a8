/**
 * A small two-site inventory and the edits the plan/report tests make to it (test/core/review,
 * test/commands/plan, test/commands/report). Every phone has `auth: none`: no secret is needed.
 *
 *   east (Boston, capacity 10): primary + backup     west (Denver, capacity 10): a VIP
 *   P1 yealink-t54w  agent 7001 → east   dual (defaults.registration)
 *   P2 baresip       agent 7002 → east   active-backup (phone)
 *   P3 snom-d785     agent 7003 → west   dual
 *   P4 alcatel-4028  agent 7004 → west   active-backup (cannot dual-register: a note)
 *   P5 cisco-8851    agent 7005 → east   dual: line 2 reaches west through its A record (the VIP)
 */
export const BASE_INVENTORY = `version: 1
dns: { zone: contoso.example }
defaults: { registration: dual, registerExpires: 600 }
sites:
  - id: east
    name: Boston
    capacity: 10
    sipServer:
      primary: { host: a.east.contoso.example, address: 10.1.0.11 }
      backup: { host: b.east.contoso.example, address: 10.1.0.12 }
  - id: west
    name: Denver
    capacity: 10
    sipServer:
      vip: { host: vip.west.contoso.example, address: 10.2.0.10 }
places:
  - { id: P1, extensions: { east: "1001", west: "1001" } }
  - { id: P2, extensions: { east: "1002", west: "1002" } }
  - { id: P3, extensions: { east: "1003", west: "1003" } }
  - { id: P4, extensions: { east: "1004", west: "1004" } }
  - { id: P5, extensions: { east: "1005", west: "1005" } }
agents:
  - { login: "7001", user: u1, place: P1, preferredSite: east }
  - { login: "7002", user: u2, place: P2, preferredSite: east }
  - { login: "7003", user: u3, place: P3, preferredSite: west }
  - { login: "7004", user: u4, place: P4, preferredSite: west }
  - { login: "7005", user: u5, place: P5, preferredSite: east }
phones:
  - { mac: "00:15:65:00:00:01", model: yealink-t54w, place: P1, auth: none }
  - { mac: "001565000002", model: baresip, place: P2, registration: active-backup, auth: none }
  - { mac: "000413000003", model: snom-d785, place: P3, auth: none }
  - { mac: "00809f000004", model: alcatel-4028, place: P4, auth: none }
  - { mac: "707db9000005", model: cisco-8851, place: P5, auth: none }
`;

/** BASE_INVENTORY with each `[from, to]` replaced (each must occur exactly once). */
export function edited(...edits: [string, string][]): string {
  let text = BASE_INVENTORY;
  for (const [from, to] of edits) {
    const at = text.indexOf(from);
    if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`edit "${from}" must occur exactly once`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
  }
  return text;
}

/** The edits of the plan tests, by name. */
export const EDITS = {
  /** Phone 1 moves from P1 (agents prefer east) to P3 (west); P3's snom moves to P1. */
  movedPlace: [
    ['model: yealink-t54w, place: P1', 'model: yealink-t54w, place: P3'],
    ['model: snom-d785, place: P3', 'model: snom-d785, place: P1'],
  ],
  /** west can carry 3 agents: when east fails it must carry all 5. */
  lowCapacity: [['    capacity: 10\n    sipServer:\n      vip', '    capacity: 3\n    sipServer:\n      vip']],
  /** Phone 1 (dual by default) becomes an Alcatel-Lucent 4000, which cannot dual-register. */
  toAlcatel: [['mac: "00:15:65:00:00:01", model: yealink-t54w', 'mac: "00:15:65:00:00:01", model: alcatel-4018']],
  /** west's VIP gets another address: its A records change. */
  newAddress: [['address: 10.2.0.10', 'address: 10.2.0.20']],
  /** west loses its VIP (primary + backup): the Cisco's dual line 2 reaches only west's primary. */
  noVip: [
    [
      '      vip: { host: vip.west.contoso.example, address: 10.2.0.10 }',
      '      primary: { host: a.west.contoso.example, address: 10.2.0.11 }\n      backup: { host: b.west.contoso.example, address: 10.2.0.12 }',
    ],
  ],
  /** Only a comment and the layout change. */
  cosmetic: [['version: 1\n', '# reviewed\nversion: 1\n\n']],
  /** An unknown model: NEW is invalid. */
  invalid: [['model: baresip', 'model: baresipp']],
} satisfies Record<string, [string, string][]>;
