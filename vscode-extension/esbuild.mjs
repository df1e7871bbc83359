// Bundles the extension into dist/extension.js, or (--tests) the unit tests into out/test/ with
// the `vscode` module replaced by the hand-written mock in test/vscode-mock.ts.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'info' };

const options = tests
  ? {
      ...common,
      entryPoints: readdirSync('test')
        .filter((name) => name.endsWith('.test.ts'))
        .map((name) => `test/${name}`),
      outdir: 'out/test',
      sourcemap: 'inline',
      alias: { vscode: './test/vscode-mock.ts' },
    }
  : {
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      external: ['vscode'],
      minify: production,
      sourcemap: !production,
    };

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
