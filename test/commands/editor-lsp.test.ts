/**
 * The editor set-up as a user has it: `sipbc init` in an empty directory, then yaml-language-server
 * (the server behind VS Code's and most editors' YAML support, from npm) driven over stdio LSP.
 * The inventory's relative `$schema=./sipbc-inventory.schema.json` line must find the schema
 * written beside it: completion at `model: ` offers real model ids; an unknown model is a diagnostic.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { repoPath, runCli } from '../support/cli.js';

interface Message {
  id?: number;
  method?: string;
  params?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  result?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  error?: { message: string };
}

/** A minimal LSP client: Content-Length framed JSON-RPC over the server's stdin/stdout. */
class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly waiters: { method: string; test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly notifications: Message[] = [];

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString('latin1'))?.[1]);
        if (this.buffer.length < end + 4 + length) return;
        const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Message;
        this.buffer = this.buffer.subarray(end + 4 + length);
        this.receive(msg);
      }
    });
  }

  private receive(msg: Message): void {
    if (msg.id !== undefined && msg.method === undefined) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    } else if (msg.id !== undefined && msg.method !== undefined) {
      // A request from the server (workspace/configuration, client/registerCapability, …): settings or null.
      const result =
        msg.method === 'workspace/configuration' ? (msg.params.items as unknown[]).map(() => ({ validate: true, completion: true, hover: true })) : null;
      this.send({ id: msg.id, result });
    } else {
      this.notifications.push(msg);
      for (const w of [...this.waiters]) {
        if (w.method === msg.method && w.test(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    }
  }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
    this.proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]));
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The first notification `method` received after the first `since` notifications (already there or coming) for which `test` holds. */
  waitFor(method: string, test: (m: Message) => boolean, since = 0): Promise<Message> {
    const seen = this.notifications.slice(since).find((m) => m.method === method && test(m));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ method, test, resolve }));
  }
}

describe('editor support: yaml-language-server with the schema sipbc init writes', { timeout: 60_000 }, () => {
  let dir: string;
  let proc: ChildProcessWithoutNullStreams;
  let lsp: LspClient;
  let text: string;
  let uri: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipbc-lsp-'));
    const init = runCli(['init', 'inventory.yaml'], { cwd: dir });
    assert.equal(init.code, 0, init.stderr);
    // The pair copied elsewhere still works: the $schema line is relative.
    const copy = join(dir, 'copied');
    cpSync(join(dir, 'inventory.yaml'), join(copy, 'inventory.yaml'));
    cpSync(join(dir, 'sipbc-inventory.schema.json'), join(copy, 'sipbc-inventory.schema.json'));
    cpSync(repoPath('examples', 'secrets'), join(copy, 'secrets'), { recursive: true });
    rmSync(join(dir, 'sipbc-inventory.schema.json'));
    text = readFileSync(join(copy, 'inventory.yaml'), 'utf8');
    uri = pathToFileURL(join(copy, 'inventory.yaml')).href;

    const server = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
    proc = spawn(process.execPath, [server, '--stdio'], { cwd: copy, stdio: ['pipe', 'pipe', 'pipe'] });
    lsp = new LspClient(proc);
    const init2 = await lsp.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(copy).href,
      capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } }, workspace: { configuration: true } },
    });
    assert.ok(init2.result?.capabilities?.completionProvider, 'the server offers completion');
    lsp.notify('initialized', {});
    lsp.notify('workspace/didChangeConfiguration', { settings: { yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false } } } });
    lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  });

  after(() => {
    proc?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the inventory sipbc init wrote has no diagnostics', async () => {
    const d = await lsp.waitFor('textDocument/publishDiagnostics', (m) => m.params.uri === uri);
    assert.deepEqual(d.params.diagnostics, []);
  });

  it('completion at `model: ` offers the catalogue model ids', async () => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^\s+model: \S/.test(l));
    assert.ok(line > 0, 'the example has a phone model line');
    const character = lines[line].indexOf('model: ') + 'model: '.length;
    const r = await lsp.request('textDocument/completion', { textDocument: { uri }, position: { line, character } });
    const items = (Array.isArray(r.result) ? r.result : r.result.items) as { label: string; documentation?: unknown }[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('yealink-t54w'), `completion lists yealink-t54w: ${labels.join(', ')}`);
    assert.ok(labels.includes('alcatel-4028'));
    const catalogue = JSON.parse(readFileSync(repoPath('templates', 'catalogue.json'), 'utf8')) as { models: Record<string, unknown> };
    assert.deepEqual(labels.filter((l) => Object.hasOwn(catalogue.models, l)).sort(), Object.keys(catalogue.models).sort(), 'every model id, nothing else');
  });

  it('an unknown model id is a diagnostic on that line, saying how to list the models', async () => {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^\s+model: \S/.test(l));
    lines[line] = lines[line].replace(/model: \S+/, 'model: yealink-t99z');
    const since = lsp.notifications.length;
    lsp.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: lines.join('\n') }] });
    const d = await lsp.waitFor('textDocument/publishDiagnostics', (m) => m.params.uri === uri, since);
    const diags = d.params.diagnostics as { message: string; range: { start: { line: number } } }[];
    assert.equal(diags.length, 1, JSON.stringify(diags));
    assert.equal(diags[0].range.start.line, line);
    assert.match(diags[0].message, /Not a model sipbc knows \(sipbc models lists them\)/);
  });
});
