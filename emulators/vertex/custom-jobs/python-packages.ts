// pythonPackageSpec: the gs:// packages become importable without pip. A source distribution
// (.tar.gz) is unpacked and its top directory put on PYTHONPATH; a wheel or zip goes on PYTHONPATH
// as is (pure-Python wheels import from the archive). Dependencies are not installed.
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gcsUriToLocalPath } from '../containers/gcs-paths.js';

function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stderr) : reject(new Error(`${argv.join(' ')} failed: ${stderr.trim() || `exit ${code}`}`))));
  });
}

/** Directories and archives to put on PYTHONPATH, in package order. */
export async function preparePythonPackages(packageUris: readonly string[], storageRoot: string, workDir: string): Promise<string[]> {
  const entries: string[] = [];
  for (const [i, uri] of packageUris.entries()) {
    const local = uri.startsWith('gs://') ? gcsUriToLocalPath(uri, storageRoot) : uri;
    await stat(local).catch(() => {
      throw new Error(`Python package ${uri} was not found (looked at ${local}).`);
    });
    if (/\.(tar\.gz|tgz)$/.test(local)) {
      const target = join(workDir, 'packages', String(i));
      await mkdir(target, { recursive: true });
      await run(['tar', '-xzf', local, '-C', target]);
      const top = await readdir(target, { withFileTypes: true });
      // An sdist unpacks to `name-version/`, with the importable package inside.
      const dirs = top.filter((d) => d.isDirectory()).map((d) => join(target, d.name));
      entries.push(...(dirs.length > 0 ? dirs : [target]));
    } else {
      entries.push(local);
    }
  }
  return entries;
}
