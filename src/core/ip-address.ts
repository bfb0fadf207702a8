/**
 * Server addresses that a phone can reach and a zone can hold. `node:net` isIP accepts strings no
 * A/AAAA record can carry (`fe80::1%eth0`: named-checkzone and nsupdate refuse it, the wire format
 * silently drops the zone id) and addresses no server has (0.0.0.0, ::, broadcast, multicast).
 * Loopback (127.0.0.0/8, ::1) stays allowed: the lab tests run real servers on it.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Why `address` cannot be a SIP Server's address, as a clause ("is multicast (224.0.0.0/4)"); undefined when it can. */
export function serverAddressProblem(address: string): string | undefined {
  if (address.includes('%')) return 'has a zone id (the part from "%"), which no DNS record can carry; write the address alone, without "%<interface>"';
  if (isIPv4(address)) return ipv4Problem(address.split('.').map(Number));
  // Every IPv6 address has a colon: a host name is never handed to isIPv6 (its first call compiles a large pattern).
  if (address.includes(':') && isIPv6(address)) return ipv6Problem(ipv6Bytes(address));
  return 'is not a valid IPv4 or IPv6 address (e.g. 10.1.0.11 or 2001:db8::11)';
}

function ipv4Problem(b: number[]): string | undefined {
  if (b[0] === 0) return 'is in 0.0.0.0/8 ("this network", 0.0.0.0 = unspecified): no server has it';
  if (b.every((x) => x === 255)) return 'is the limited broadcast address: no server has it';
  if (b[0] >= 224 && b[0] <= 239) return 'is multicast (224.0.0.0/4): a SIP Server needs a unicast address';
  if (b[0] >= 240) return 'is in the reserved block 240.0.0.0/4: no host can use it';
  return undefined;
}

function ipv6Problem(b: Uint8Array): string | undefined {
  if (b.every((x) => x === 0)) return 'is the unspecified address (::): no server has it';
  if (b[0] === 0xff) return 'is multicast (ff00::/8): a SIP Server needs a unicast address';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80)
    return 'is link-local (fe80::/10): it means something only on one link and needs a zone id no DNS record can carry';
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address inside it.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    const inner = ipv4Problem([...b.subarray(12)]);
    if (inner) return `maps an IPv4 address that ${inner}`;
  }
  return undefined;
}

/** The 16 bytes of a valid IPv6 address (dotted IPv4 tail included). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    for (const n of dotted[1].split('.').map(Number)) tail.push(n);
    text = text.slice(0, dotted.index) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}
