/**
 * Bundles the web dashboard (web/dashboard) into dist/dashboard with esbuild:
 *   dist/dashboard/index.html            the page, naming the hashed files below
 *   dist/dashboard/assets/main-<hash>.js  Preact, uPlot and the pages, minified
 *   dist/dashboard/assets/main-<hash>.css styles (uPlot's included)
 * Everything is local: the server sends a Content-Security-Policy that allows no other origin.
 *
 *   npm run build:dashboard            (part of npm run build)
 *   tsx scripts/build-dashboard.ts --watch
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DASHBOARD_SOURCE = path.join(ROOT, 'web', 'dashboard');
export const DASHBOARD_OUT = path.join(ROOT, 'dist', 'dashboard');

export interface BuildDashboardOptions {
  outDir?: string;
  minify?: boolean;
}

function options(outDir: string, minify: boolean): esbuild.BuildOptions {
  return {
    entryPoints: { main: path.join(DASHBOARD_SOURCE, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: 'linked',
    legalComments: 'linked',
    outdir: path.join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  };
}

async function writeIndex(outDir: string, metafile: esbuild.Metafile): Promise<void> {
  const outputs = Object.keys(metafile.outputs).map((o) => path.relative(outDir, path.resolve(ROOT, o)).split(path.sep).join('/'));
  const js = outputs.find((o) => o.endsWith('.js'));
  const css = outputs.find((o) => o.endsWith('.css'));
  if (!js || !css) throw new Error(`dashboard build produced no ${js ? 'CSS' : 'JavaScript'} bundle`);
  const template = await readFile(path.join(DASHBOARD_SOURCE, 'index.html'), 'utf8');
  await writeFile(path.join(outDir, 'index.html'), template.replace('<!--js-->', js).replace('<!--css-->', css));
}

/** builds once; returns the files written, relative to `outDir` */
export async function buildDashboard(o: BuildDashboardOptions = {}): Promise<string[]> {
  const outDir = o.outDir ?? DASHBOARD_OUT;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await esbuild.build(options(outDir, o.minify ?? true));
  await writeIndex(outDir, result.metafile!);
  return ['index.html', ...Object.keys(result.metafile!.outputs).map((f) => path.relative(outDir, path.resolve(ROOT, f)))];
}

async function watch(outDir: string): Promise<void> {
  const ctx = await esbuild.context({
    ...options(outDir, false),
    plugins: [{ name: 'index', setup: (b) => b.onEnd(async (r) => { if (r.metafile) await writeIndex(outDir, r.metafile); }) }],
  });
  await ctx.watch();
  process.stdout.write(`watching ${DASHBOARD_SOURCE} → ${outDir}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const run = process.argv.includes('--watch')
    ? watch(DASHBOARD_OUT)
    : buildDashboard().then((files) => process.stdout.write(`dashboard: ${files.length} files in ${path.relative(process.cwd(), DASHBOARD_OUT)}\n`));
  run.catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
