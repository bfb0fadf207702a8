/**
 * Printing findings in the formats of `sipbc validate --format`:
 *
 *   text    grouped by file: `file:line:col  severity  code  message`, coloured
 *           by stdout's rules (src/cli/colour.ts), then one summary line
 *   json    an array of findings (the Finding shape of src/core/findings.ts)
 *   github  workflow commands: `::error file=…,line=…,col=…,title=CODE::message`
 *   sarif   SARIF 2.1.0, one rule per code (descriptions from the code table)
 *
 * Pure string builders: the command decides where they go.
 */
import type { ChalkInstance } from 'chalk';
import { colour } from './colour.js';
import { countFindings, type Finding } from '../core/findings.js';
import { ruleInfo } from '../core/validate/codes.js';

export const REPORT_FORMATS = ['text', 'json', 'github', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportInput {
  /** Every file that was validated (also those without findings), in the order given. */
  files: string[];
  findings: Finding[];
  toolVersion?: string;
}

/** With --strict every warning counts as an error: reported as one. */
export function applyStrict(findings: readonly Finding[], strict: boolean): Finding[] {
  return strict ? findings.map((f) => (f.severity === 'warning' ? { ...f, severity: 'error' } : f)) : [...findings];
}

export function renderReport(format: ReportFormat, input: ReportInput): string {
  switch (format) {
    case 'text':
      return renderText(input);
    case 'json':
      return JSON.stringify(input.findings, null, 2) + '\n';
    case 'github':
      return renderGithub(input.findings);
    case 'sarif':
      return JSON.stringify(renderSarif(input), null, 2) + '\n';
  }
}

/**
 * One line for a finding: `file:line:col  severity  code  message`. Commands print these on stderr
 * (the default colours); the text report passes stdout's.
 */
export function formatFinding(f: Finding, chalk: ChalkInstance = colour.stderr): string {
  const sev = f.severity === 'error' ? chalk.red('error  ') : chalk.yellow('warning');
  return `${chalk.bold(`${f.file}:${f.line}:${f.column}`)}  ${sev}  ${chalk.dim(f.code)}  ${f.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function renderText({ files, findings }: ReportInput): string {
  const chalk = colour.stdout;
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const l = byFile.get(f.file);
    if (l) l.push(f);
    else byFile.set(f.file, [f]);
  }
  const lines: string[] = [];
  for (const file of files) {
    const list = byFile.get(file);
    if (!list) continue;
    if (lines.length > 0) lines.push('');
    lines.push(chalk.underline(file));
    for (const f of list) lines.push(formatFinding(f, chalk));
  }
  // An "and N more" finding counts for the N it stands for.
  const errors = countFindings(findings.filter((f) => f.severity === 'error'));
  const warnings = countFindings(findings) - errors;
  if (lines.length > 0) lines.push('');
  const where = files.length === 1 ? files[0] : plural(files.length, 'file');
  if (findings.length === 0) lines.push(chalk.green(`✓ ${where}: no problems found`));
  else {
    // The mark follows the exit status: ✗ only when there is an error (with --strict warnings are errors already).
    const counts = `${where}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
    lines.push(errors > 0 ? chalk.red(`✗ ${counts}`) : chalk.yellow(`⚠ ${counts}`));
  }
  return lines.join('\n') + '\n';
}

/** GitHub workflow-command escaping: data escapes %, CR, LF; property values also : and ,. */
const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProp = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function renderGithub(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `::${f.severity === 'error' ? 'error' : 'warning'} file=${ghProp(f.file)},line=${f.line},col=${f.column},title=${ghProp(f.code)}::${ghData(f.message)}\n`,
    )
    .join('');
}

function renderSarif({ findings, toolVersion }: ReportInput): object {
  const codes = [...new Set(findings.map((f) => f.code))].sort();
  const index = new Map(codes.map((c, i) => [c, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sipbc',
            ...(toolVersion ? { version: toolVersion } : {}),
            rules: codes.map((code) => {
              const info = ruleInfo(code);
              return {
                id: code,
                name: code,
                shortDescription: { text: info.summary },
                defaultConfiguration: { level: info.severity === 'error' ? 'error' : 'warning' },
              };
            }),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: f.severity === 'error' ? 'error' : 'warning',
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: sarifUri(f.file) },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
        })),
      },
    ],
  };
}

/** A relative URI reference for the file (SARIF wants URIs: spaces and the like percent-encoded). */
function sarifUri(file: string): string {
  return file
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}
