// The workspace's package folders, for the check scripts: every folder with a package.json under
// the globs of pnpm-workspace.yaml (`packages/*`, `apps/*`, `tooling/*`).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (absolute, without a trailing slash). */
export const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const WORKSPACE_FOLDERS = ['packages', 'apps', 'tooling'];

/** Each workspace package's folder relative to the root (`packages/core`), in folder order. */
export function workspaceDirs() {
  return WORKSPACE_FOLDERS.flatMap((folder) => {
    const dir = join(root, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
      .map((entry) => join(folder, entry.name));
  });
}
