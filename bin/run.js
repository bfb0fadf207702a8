#!/usr/bin/env node
// `sipbc --version` / `-v` is answered here, without importing oclif (most of
// the start-up time of a bare `--version`): the same line oclif prints,
// `sipbc/<version> <platform>-<arch> node-<version>`, read from package.json.
// Everything else, `--help` included, goes through oclif.
const first = process.argv[2];
if (first === '--version' || first === '-v') {
  const { readFileSync } = await import('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`sipbc/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
