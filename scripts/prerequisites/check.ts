// System prerequisites of the local cloud (Python ML packages, Java and Google's Pub/Sub emulator),
// checked before anything starts: installed with apt-get when running as root, otherwise the
// command stops at once with the exact command to run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findPubSubEmulatorJar, PUBSUB_INSTALL_HINT } from '../../emulators/pubsub/emulator-process.js';
import { log } from '../log.js';

/** The one list of system packages; .ci/run reads the same file. */
const PACKAGES_FILE = fileURLToPath(new URL('./debian-packages.txt', import.meta.url));
/** The interpreter local Vertex AI runs training code with (emulators/vertex/containers/image-map.json). */
const SYSTEM_PYTHON = '/usr/bin/python3';

const Check = z.union([
  z.templateLiteral(['python-module:', z.string().regex(/^[A-Za-z_][\w.]*$/)]),
  z.templateLiteral(['command:', z.string().regex(/^[\w.+-]+$/)]),
  z.literal('pubsub-emulator-jar'),
]);
// `console`: only the console's browser tests need it (CI installs it); the demo and `npm run local` never ask for it.
const Line = z.tuple([z.enum(['python', 'pubsub', 'console']), z.string().regex(/^[a-z0-9][a-z0-9.+-]+$/), Check]);

export type Group = z.infer<typeof Line>[0];
export interface Requirement {
  readonly group: Group;
  readonly debianPackage: string;
  readonly check: z.infer<typeof Check>;
}

export function readRequirements(text: string = readFileSync(PACKAGES_FILE, 'utf8')): Requirement[] {
  return text.split('\n').flatMap((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return [];
    const parsed = Line.safeParse(line.split(/\s+/));
    if (!parsed.success) throw new Error(`${PACKAGES_FILE}:${i + 1}: expected '<python|pubsub|console> <debian package> <check>', got '${line}'`);
    const [group, debianPackage, check] = parsed.data;
    return [{ group, debianPackage, check }];
  });
}

export interface Missing {
  readonly requirement: Requirement;
  /** Why it counts as missing, e.g. "No module named 'sklearn'". */
  readonly reason: string;
}

export interface CheckOptions {
  groups: readonly Group[];
  python?: string;
  requirements?: readonly Requirement[];
  /** Where `command:` checks look (default PATH). */
  path?: string;
}

// Imports each module for real (a broken install fails here, not inside a pipeline task).
const IMPORT_PROBE = `
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as e:
        print(name + "\\t" + (type(e).__name__ + ": " + str(e)).splitlines()[0])
`;

export function findMissing(options: CheckOptions): Missing[] {
  const requirements = (options.requirements ?? readRequirements()).filter((r) => options.groups.includes(r.group));
  const python = options.python ?? SYSTEM_PYTHON;
  const missing: Missing[] = [];
  const modules = requirements.filter((r) => r.check.startsWith('python-module:'));
  if (modules.length) {
    const names = modules.map((r) => r.check.slice('python-module:'.length));
    const run = spawnSync(python, ['-c', IMPORT_PROBE, ...names], { encoding: 'utf8', timeout: 120_000 });
    if (run.error || run.status !== 0) {
      const why = run.error ? `${python} could not run (${run.error.message})` : `${python} failed: ${run.stderr.trim().split('\n').pop() ?? ''}`;
      for (const r of modules) missing.push({ requirement: r, reason: why });
    } else {
      const failed = new Map(run.stdout.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
      for (const [i, r] of modules.entries()) {
        const reason = failed.get(names[i]!);
        if (reason !== undefined) missing.push({ requirement: r, reason: `${python} cannot import ${names[i]} (${reason})` });
      }
    }
  }
  for (const r of requirements) {
    if (r.check.startsWith('command:')) {
      const command = r.check.slice('command:'.length);
      if (!onPath(command, options.path)) missing.push({ requirement: r, reason: `${command} is not on PATH` });
    } else if (r.check === 'pubsub-emulator-jar' && !findPubSubEmulatorJar()) {
      missing.push({ requirement: r, reason: "Google's Pub/Sub emulator (cloud-pubsub-emulator-*.jar) is not installed" });
    }
  }
  return missing;
}

function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { env: { PATH: path }, stdio: 'ignore' }).status === 0;
}

/** The exact command a user runs to install what is missing. */
export function installCommand(missing: readonly Missing[], asRoot: boolean): string {
  const sudo = asRoot ? '' : 'sudo ';
  const packages = [...new Set(missing.map((m) => m.requirement.debianPackage))];
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`;
}

/** What the user reads when the command stops: what is missing, and the command that installs it. */
export function missingReport(missing: readonly Missing[], options: { asRoot: boolean; noPubSubFlag?: string }): string {
  const lines = ['The local cloud cannot start: system packages are missing.', ...missing.map((m) => `  ${m.requirement.debianPackage}: ${m.reason}`)];
  lines.push('', 'Install them with:', `  ${installCommand(missing, options.asRoot)}`, 'then run the command again.');
  // The emulator's package comes from Google's apt repository, which may not be configured.
  if (missing.some((m) => m.requirement.check === 'pubsub-emulator-jar')) lines.push('', PUBSUB_INSTALL_HINT);
  if (options.noPubSubFlag && missing.some((m) => m.requirement.group === 'pubsub')) lines.push('', `Or run without Pub/Sub: ${options.noPubSubFlag}`);
  return `${lines.join('\n')}\n`;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** apt-get as root, its output on stderr so that stdout stays the command's report. */
function aptInstall(packages: readonly string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const stdio = ['ignore', process.stderr, process.stderr] as const;
  if (spawnSync('apt-get', ['update', '-qq'], { env, stdio: [...stdio] }).status !== 0) return false;
  return spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: [...stdio] }).status === 0;
}

/**
 * Check; as root with apt-get, install what is missing and check again; otherwise (or when that
 * fails) print what is missing with the command to run and exit 1 before anything starts.
 */
export function ensurePrerequisites(options: { pubsub: boolean; noPubSubFlag?: string; python?: string }): void {
  const check = () => findMissing({ groups: options.pubsub ? ['python', 'pubsub'] : ['python'], ...(options.python ? { python: options.python } : {}) });
  let missing = check();
  if (!missing.length) return;
  if (isRoot() && onPath('apt-get')) {
    const packages = [...new Set(missing.map((m) => m.requirement.debianPackage))];
    log('WARNING', 'installing missing system packages with apt-get', { packages });
    aptInstall(packages);
    missing = check();
    if (!missing.length) return;
  }
  process.stderr.write(missingReport(missing, { asRoot: isRoot(), ...(options.noPubSubFlag ? { noPubSubFlag: options.noPubSubFlag } : {}) }));
  process.exit(1);
}
