import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles a workspace module (from source, through the `@kmkit/source` condition) into one script
 * for a page. With `globalName` the module's exports land on `window[globalName]`.
 */
export async function bundleForBrowser(
  entry: string | URL,
  options: { globalName?: string; minify?: boolean } = {},
): Promise<string> {
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : entry;
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    conditions: ['@kmkit/source'],
    minify: options.minify ?? false,
    ...(options.globalName ? { globalName: options.globalName } : {}),
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
