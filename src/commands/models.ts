/**
 * `sipbc models [--json] [--templates DIR]`: the phone-model catalogue
 * as a table: id, vendor, family, dual-registration support, active-backup
 * method, SRV support, transports, files written.
 */
import { SipbcCommand } from '../cli/base-command.js';
import { templatesFlag } from '../cli/flags.js';
import { type Catalogue, loadCatalogue } from '../core/catalogue.js';

export interface ModelRow {
  id: string;
  name: string;
  vendor: string;
  family: string;
  dualRegistration: boolean;
  activeBackup: 'srv' | 'backup-registrar';
  srv: boolean;
  transports: string[];
  files: string[];
}

/** One row per model, sorted by family then id. */
export function modelRows(cat: Catalogue): ModelRow[] {
  return Object.values(cat.models)
    .map((m) => {
      const f = cat.families[m.family];
      return {
        id: m.id,
        name: m.name,
        vendor: f.vendor,
        family: m.family,
        dualRegistration: f.dualRegistration,
        activeBackup: f.activeBackup,
        srv: f.srv,
        transports: [...f.transports],
        files: [...f.files.map((x) => `${f.dir}/${x.name}`), ...f.commonFiles.map((x) => `${f.dir}/${x.name}`)],
      };
    })
    .sort((a, b) => (a.family === b.family ? (a.id < b.id ? -1 : 1) : a.family < b.family ? -1 : 1));
}

export function modelTable(rows: readonly ModelRow[]): string {
  const head = ['MODEL', 'VENDOR', 'FAMILY', 'DUAL', 'ACTIVE-BACKUP', 'SRV', 'TRANSPORTS', 'FILES'];
  const body = rows.map((r) => [
    r.id,
    r.vendor,
    r.family,
    r.dualRegistration ? 'yes' : 'no',
    r.activeBackup,
    r.srv ? 'yes' : 'no',
    r.transports.join(','),
    r.files.join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [head, ...body].map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

export default class Models extends SipbcCommand {
  static override summary = 'List the phone models sipbc knows and what each can do.';
  static override description =
    'DUAL: can register to both sites at once. ACTIVE-BACKUP: srv = one SRV name (S-preferred.B), backup-registrar = backup proxy/registrar (S.B then T.B). SRV: can resolve its server through DNS SRV. FILES: what generate writes under phones/ ({mac} = 12 lower-case hex digits).';
  static override examples = ['<%= config.bin %> models', '<%= config.bin %> models --json', '<%= config.bin %> models --templates my-templates'];
  static override enableJsonFlag = true;
  static override flags = {
    templates: templatesFlag('directory with a catalogue.json that adds models or families'),
  };

  async run(): Promise<ModelRow[]> {
    const { flags } = await this.parse(Models);
    const rows = modelRows(loadCatalogue(flags.templates));
    if (!this.jsonEnabled()) process.stdout.write(modelTable(rows));
    return rows;
  }
}
