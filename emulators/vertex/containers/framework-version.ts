// Vertex prebuilt images name their framework version (`sklearn-cpu.1-5`); the local emulator runs
// them with this machine's Python packages, so a different version there is worth one warning.
import { execFile } from 'node:child_process';
import { HOST_PYTHON } from './argv.js';

/** Image name prefix → the Python distribution that provides it. */
const DISTRIBUTIONS: Readonly<Record<string, string>> = { sklearn: 'scikit-learn', xgboost: 'xgboost', pytorch: 'torch', tf: 'tensorflow', tf2: 'tensorflow' };

const PREBUILT = /(?:^|\/)vertex-ai\/(?:training|prediction)\/(sklearn|xgboost|pytorch|tf2?)-(?:cpu|gpu)\.(\d+)-(\d+)(?:[.:@]|$)/;

export interface ImageFramework {
  /** Python distribution name, e.g. `scikit-learn`. */
  distribution: string;
  /** `major.minor` the image name says, e.g. `1.5`. */
  version: string;
}

/** The framework and version a Vertex prebuilt image's name says; undefined for other images. */
export function imageFramework(image: string): ImageFramework | undefined {
  const m = PREBUILT.exec(image.trim());
  if (!m) return undefined;
  return { distribution: DISTRIBUTIONS[m[1]!]!, version: `${Number(m[2])}.${Number(m[3])}` };
}

/** Installed version of a Python distribution on this machine; undefined when absent. */
export type HostVersionLookup = (distribution: string) => Promise<string | undefined>;

const LOOKUP_SCRIPT = 'import sys, importlib.metadata as m\ntry:\n    print(m.version(sys.argv[1]))\nexcept m.PackageNotFoundError:\n    pass\n';
const hostVersions = new Map<string, Promise<string | undefined>>();

/** Asks the host Python once per distribution (reading package metadata, not importing the package). */
export const hostPythonVersion: HostVersionLookup = (distribution) => {
  let version = hostVersions.get(distribution);
  if (version === undefined) {
    version = new Promise((resolve) => {
      execFile(HOST_PYTHON, ['-c', LOOKUP_SCRIPT, distribution], { timeout: 30_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined));
    });
    hostVersions.set(distribution, version);
  }
  return version;
};

/** The warning for an image whose framework version differs (major.minor) from the host's; undefined when it matches or can't be told. */
export async function frameworkVersionWarning(image: string, lookup: HostVersionLookup = hostPythonVersion): Promise<string | undefined> {
  const framework = imageFramework(image);
  if (!framework) return undefined;
  const host = await lookup(framework.distribution);
  if (host === undefined) return undefined;
  const hostMinor = host.split('.').slice(0, 2).map(Number).join('.');
  if (hostMinor === framework.version) return undefined;
  return (
    `Container image '${image}' names ${framework.distribution} ${framework.version}, but this machine runs it with ` +
    `${framework.distribution} ${host}: results, and models saved by it, may differ from what Vertex AI would produce.`
  );
}
