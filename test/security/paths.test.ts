/**
 * Paths (issue 6): output paths come only from normalised MACs and catalogue patterns; nothing an
 * inventory, a user catalogue (`--templates DIR/catalogue.json`) or a user template directory
 * holds can make sipbc write — or read a template — outside its directory. Links planted inside
 * the output directory are never followed, and a forged manifest cannot make sipbc delete a file
 * outside DIR.
 *
 * After every refused run, a canary directory outside DIR must still be empty and the victim file
 * unchanged.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { unsafePathReason } from '../../src/cli/write-output.js';
import { SipbcError } from '../../src/core/errors.js';
import { phoneFilePath } from '../../src/core/render/phones.js';
import { runCli } from '../support/cli.js';
import { cleanupTempDirs, clone, hasStackTrace, planText, readTree, securityInventory, tempDir, type Obj } from '../support/security.js';

after(cleanupTempDirs);

const SMALL = securityInventory({ phonesPerFamily: 1 });
const ENV = { SIP_PW: 'pw-paths-1' };

/** A scratch area: DIR (output), a canary directory and a victim file outside it, the inventory. */
function scene() {
  const root = tempDir();
  const out = join(root, 'out');
  const canary = join(root, 'elsewhere');
  mkdirSync(canary);
  const victim = join(root, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  const inv = join(root, 'inventory.json');
  writeFileSync(inv, JSON.stringify(SMALL));
  const untouched = () => {
    assert.deepEqual(readdirSync(canary), [], `something was written to ${canary}`);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the victim file outside DIR changed');
    assert.ok(existsSync(victim), 'the victim file was deleted');
  };
  return { root, out, canary, victim, inv, untouched };
}

function generate(args: string[]) {
  const r = runCli(['generate', ...args], { env: ENV });
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  return r;
}

/** Runs the in-memory pipeline with a user templates directory; returns the refusal (exit 2) or fails. */
function refusedWithTemplates(dir: string, inv: Obj = SMALL): SipbcError {
  try {
    const r = planText(JSON.stringify(inv), ENV, { userTemplatesDir: dir });
    assert.fail(`accepted: ${r.files.map((f) => f.path).join(', ')} ${JSON.stringify(r.findings.filter((f) => f.severity === 'error'))}`);
  } catch (e) {
    if (!(e instanceof SipbcError)) throw e;
    assert.equal(e.exitCode, 2, e.message);
    return e;
  }
}

describe('paths: the two checks every output path passes', () => {
  it('phoneFilePath refuses absolute paths, "..", ".", empty parts, backslashes, NUL and bad vendor dirs', () => {
    for (const [dir, name] of [
      ['yealink', '../x'],
      ['yealink', 'a/../../x'],
      ['yealink', '/etc/passwd'],
      ['yealink', 'a//b'],
      ['yealink', './x'],
      ['yealink', 'a\\..\\..\\x'],
      ['yealink', 'a\u0000b'],
      ['yealink', ''],
      ['..', 'x'],
      ['Yealink', 'x'],
      ['a/b', 'x'],
      ['', 'x'],
    ]) {
      assert.throws(() => phoneFilePath(dir, name), SipbcError, `${dir} ${name}`);
    }
    assert.equal(phoneFilePath('baresip', '0015651234ab/accounts'), 'phones/baresip/0015651234ab/accounts');
  });

  it('the writer refuses the same paths again (defence in depth), the manifest and its temp-file prefix', () => {
    for (const p of ['../x', '/abs', 'a/../b', 'a//b', './a', 'a\\b', 'a\u0000', '', '.sipbc-manifest.json', 'phones/.sipbc-tmp-1', 'x'.repeat(256)]) {
      assert.ok(unsafePathReason(p), `accepted ${JSON.stringify(p)}`);
    }
    assert.equal(unsafePathReason('phones/yealink/0015651234ab.cfg'), undefined);
  });
});

describe('paths: inventory values never become paths', () => {
  it('a MAC, model or site id made of path syntax is an invalid inventory (exit 1), and nothing is written', () => {
    const s = scene();
    for (const [what, edit] of [
      ['mac', (inv: Obj) => (inv.phones[0].mac = '../../../elsewhere/x')],
      ['mac', (inv: Obj) => (inv.phones[0].mac = '00:15:65:00:00:01/../../x')],
      ['model', (inv: Obj) => (inv.phones[0].model = '../../elsewhere')],
      ['site id', (inv: Obj) => (inv.sites[0].id = '../elsewhere')],
      ['zone', (inv: Obj) => (inv.dns.zone = '../../elsewhere/x')],
    ] as const) {
      const inv = clone(SMALL);
      edit(inv);
      const r = planText(JSON.stringify(inv), ENV);
      assert.ok(
        r.findings.some((f) => f.severity === 'error'),
        `${what}: accepted`,
      );
      assert.deepEqual(r.files, []);
    }
    const inv = clone(SMALL);
    inv.phones[0].mac = '../../elsewhere/x';
    inv.dns.zone = '../../elsewhere/x';
    writeFileSync(s.inv, JSON.stringify(inv));
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(existsSync(s.out), false, 'the output directory was created for an invalid inventory');
    s.untouched();
  });

  it('every path written comes from the normalised MAC and the catalogue pattern', () => {
    const inv = clone(SMALL);
    const notations = [
      '00-00-00-00-00-01',
      '0000.0000.0002',
      '000000:000003',
      '00:00:00:00:00:04',
      '000000000005',
      ' 00:00:00:00:00:06 ',
      '00:00:00:00:00:07',
      '00:00:00:00:00:08',
    ];
    inv.phones.forEach((p: Obj, i: number) => (p.mac = notations[i].toUpperCase()));
    const r = planText(JSON.stringify(inv), ENV);
    const phonePaths = r.files.map((f) => f.path).filter((p) => p.startsWith('phones/') && !p.endsWith('lanpbx.cfg'));
    for (const p of phonePaths) assert.match(p, /^phones\/[a-z]+\/(cfg|sipconfig-)?0{11}[1-8](\.cfg|-sipbc\.cfg|\.xml|\.txt|\/accounts|\/config)$/, p);
  });
});

describe('paths: a user catalogue and --templates DIR stay inside their directories', () => {
  const family = (files: Obj[], extra: Obj = {}) => ({
    families: {
      evil: {
        vendor: 'Evil',
        dir: 'evil',
        label: 'Evil',
        dualRegistration: false,
        activeBackup: 'srv',
        srv: true,
        dualSrv: true,
        transports: ['udp'],
        files,
        commonFiles: [],
        ...extra,
      },
    },
    models: { 'evil-1': { family: 'evil', name: 'Evil 1' } },
  });
  const evilInventory = () => {
    const inv = clone(SMALL);
    inv.phones[0].model = 'evil-1';
    return inv;
  };
  const userDir = (catalogue: unknown, templates: Record<string, string> = { 'evil/t.hbs': 'x={{line.user}}\n' }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(catalogue));
    for (const [p, text] of Object.entries(templates)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return dir;
  };
  const spec = (name: string, template = 't.hbs') => ({ name, template, format: 'keyvalue', secret: true });

  it('file name patterns that climb, are absolute, or use backslashes are refused (exit 2)', () => {
    for (const name of ['../../../elsewhere/{mac}', '/tmp/{mac}', '{mac}/../../../x', '..\\..\\{mac}', '{mac}/./x', 'a//{mac}', '..', '{mac}\u0000']) {
      refusedWithTemplates(userDir(family([spec(name)])), evilInventory());
    }
  });

  it('a common file name that climbs is refused, and a vendor dir or family id made of path syntax too', () => {
    refusedWithTemplates(userDir(family([spec('{mac}.cfg')], { commonFiles: [spec('../../common.cfg')] })), evilInventory());
    refusedWithTemplates(
      userDir({ ...family([spec('{mac}.cfg')]), families: { evil: { ...family([spec('{mac}.cfg')]).families.evil, dir: '../..' } } }),
      evilInventory(),
    );
    refusedWithTemplates(userDir({ families: { '../evil': family([spec('{mac}.cfg')]).families.evil }, models: {} }));
    refusedWithTemplates(userDir({ families: family([spec('{mac}.cfg')]).families, models: { '../evil': { family: 'evil', name: 'x' } } }));
  });

  it('template names that climb or are absolute are refused', () => {
    for (const template of ['../../../../etc/passwd', '/etc/passwd', '..', 'a/../../t.hbs', '..\\t.hbs']) {
      refusedWithTemplates(userDir(family([spec('{mac}.cfg', template)])), evilInventory());
    }
  });

  it('a template that is a link to a file outside DIR/<family> is refused; so is a family directory that is a link', () => {
    const outside = join(tempDir(), 'secret.txt');
    writeFileSync(outside, 'root:x:0:0\n');
    const dir = userDir(family([spec('{mac}.cfg')]), {});
    mkdirSync(join(dir, 'evil'));
    symlinkSync(outside, join(dir, 'evil', 't.hbs'));
    const e = refusedWithTemplates(dir, evilInventory());
    assert.match(e.message, /outside/);

    // Overriding a shipped family through a linked directory.
    const dir2 = tempDir();
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'mac.cfg.hbs'), 'stolen={{line.password}}\n');
    symlinkSync(elsewhere, join(dir2, 'yealink'));
    assert.match(refusedWithTemplates(dir2).message, /outside/);
  });

  it('through the CLI: exit 2, nothing written to DIR or outside it', () => {
    const s = scene();
    const dir = userDir(family([spec('../../../elsewhere/{mac}')]));
    writeFileSync(s.inv, JSON.stringify(evilInventory()));
    const r = generate([s.inv, '-o', s.out, '--templates', dir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(existsSync(s.out), false);
    s.untouched();
  });
});

describe('paths: links planted inside the output directory are never followed', () => {
  /** A first good run, so DIR holds real outputs and a manifest. */
  function written() {
    const s = scene();
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 0, r.stderr);
    return s;
  }

  it('DIR/phones -> elsewhere: refused (exit 2), elsewhere stays empty', () => {
    const s = scene();
    mkdirSync(s.out);
    symlinkSync(s.canary, join(s.out, 'phones'));
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /symbolic link/);
    s.untouched();
  });

  for (const what of ['vendor dir', 'dns dir', 'phone file'] as const) {
    it(`a ${what} replaced by a link after a run: refused (exit 2), nothing changes through it`, () => {
      const s = written();
      const file = [...readTree(s.out).keys()].find((p) => p.startsWith('phones/yealink/'))!;
      const target = { 'vendor dir': 'phones/cisco', 'dns dir': 'dns', 'phone file': file }[what];
      rmSync(join(s.out, target), { recursive: true, force: true });
      symlinkSync(what === 'phone file' ? s.victim : s.canary, join(s.out, target));
      // A changed inventory, so sipbc wants to rewrite every file.
      const inv = clone(SMALL);
      inv.sites[1].sipServer.vip.address = '10.2.0.99';
      inv.dns.ttl = 600;
      inv.defaults.registerExpires = 1800;
      writeFileSync(s.inv, JSON.stringify(inv));
      const r = generate([s.inv, '-o', s.out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /symbolic link/);
      s.untouched();
    });
  }

  it('a manifest that is a link is refused', () => {
    const s = written();
    rmSync(join(s.out, '.sipbc-manifest.json'));
    symlinkSync(s.victim, join(s.out, '.sipbc-manifest.json'));
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 2, r.stderr);
    s.untouched();
  });

  it('a forged manifest cannot make sipbc delete or touch anything outside DIR or through a link', () => {
    const s = written();
    mkdirSync(join(s.canary, 'sub'));
    writeFileSync(join(s.canary, 'sub', 'keep.txt'), 'keep\n');
    symlinkSync(join(s.canary, 'sub'), join(s.out, 'linked'));
    const manifestPath = join(s.out, '.sipbc-manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const h = '0'.repeat(64);
    Object.assign(m.files, {
      '../victim.txt': h,
      [s.victim]: h,
      'phones/../../victim.txt': h,
      'linked/keep.txt': h,
      'phones/yealink/../../../victim.txt': h,
      'phones\\..\\..\\victim.txt': h,
    });
    writeFileSync(manifestPath, JSON.stringify(m));
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(s.victim, 'utf8'), 'precious\n');
    assert.equal(readFileSync(join(s.canary, 'sub', 'keep.txt'), 'utf8'), 'keep\n');
    assert.match(r.stderr, /ignoring manifest entry|not removing/);
    const after = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
    for (const p of Object.keys(after.files)) assert.equal(unsafePathReason(p), undefined, `manifest kept ${p}`);
    assert.ok(!Object.keys(after.files).includes('linked/keep.txt'));
  });

  it('a file sipbc did not write is never removed, even inside its directories', () => {
    const s = written();
    writeFileSync(join(s.out, 'phones', 'yealink', 'admin-notes.cfg'), 'mine\n');
    const inv = clone(SMALL);
    inv.phones = inv.phones.filter((p: Obj) => p.model !== 'yealink-t54w');
    writeFileSync(s.inv, JSON.stringify(inv));
    const r = generate([s.inv, '-o', s.out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(s.out, 'phones', 'yealink', 'admin-notes.cfg'), 'utf8'), 'mine\n');
    assert.deepEqual(readdirSync(join(s.out, 'phones', 'yealink')), ['admin-notes.cfg']);
  });
});
