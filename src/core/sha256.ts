/**
 * SHA-256 of a string (UTF-8) or bytes: node's one-shot `crypto.hash` where it exists (node ≥ 20.12;
 * about half the time of createHash for 100 000 small inputs), createHash otherwise.
 */
import crypto, { createHash } from 'node:crypto';

type OneShot = {
  (algorithm: string, data: string | Buffer, encoding: 'hex'): string;
  (algorithm: string, data: string | Buffer, encoding: 'buffer'): Buffer;
};
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** Hex digest. */
export function sha256(data: string | Buffer): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** The digest's 32 bytes. */
export function sha256Bytes(data: string | Buffer): Buffer {
  return oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
}

/** Hex digest of the UTF-8 text the pieces make (a text too large to hold whole, such as the manifest). */
export function sha256OfPieces(pieces: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of pieces) h.update(p, 'utf8');
  return h.digest('hex');
}
