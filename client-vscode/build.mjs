// Build the extension: one esbuild bundle (out/extension.js, vscode left external) and the
// Mermaid copy the diagram webview loads (media/mermaid.min.js, from the npm package, so the
// webview never fetches anything). `--tests` also bundles the unit tests into out/test/ with
// `vscode` replaced by test/stubs/vscode.ts. `--production` minifies and drops source maps.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const require = createRequire(import.meta.url);

mkdirSync(join(here, 'media'), { recursive: true });
copyFileSync(require.resolve('mermaid/dist/mermaid.min.js'), join(here, 'media', 'mermaid.min.js'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: join(here, 'out', 'extension.js'),
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
});

if (tests) {
  const testDir = join(here, 'test', 'unit');
  rmSync(join(here, 'out', 'test'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(testDir, f)),
    outdir: join(here, 'out', 'test'),
    alias: { vscode: join(here, 'test', 'stubs', 'vscode.ts') },
    // The tests start real processes and read fixtures; keep Node's own modules external.
    external: ['node:*'],
    sourcemap: 'inline',
  });
}
