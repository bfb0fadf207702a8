/**
 * SIPBC-W-LITERAL-PASSWORD: a password written into the inventory. The message
 * names the line, never the password itself (findings end up in CI logs).
 */
import type { Finding } from '../../findings.js';
import { lengthClass } from '../../credential-text.js';
import { isObject, type RuleContext } from '../context.js';

export function literalPasswords(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (let ix = 0; ix < ctx.phones.length; ix++) {
    const v = ctx.phones.v(ix);
    const i = ctx.phones.i(ix);
    const auth = v.auth as unknown;
    if (!isObject(auth) || typeof auth.password !== 'string') continue;
    const path = ['phones', i, 'auth', 'password'];
    const line = ctx.lineOf(path);
    out.push(
      ctx.finding(
        'SIPBC-W-LITERAL-PASSWORD',
        path,
        `phones[${i}].auth.password on line ${line} is a literal password (${lengthClass(auth.password.length)}) in the inventory; move it out: password: { env: SIP_PW_<ext> } or password: { file: secrets/<ext>.txt }.`,
      ),
    );
  }
  return out;
}
