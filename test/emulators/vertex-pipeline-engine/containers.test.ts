// The image map and the local container launcher.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PYTHON, hostArgv } from '../../../emulators/vertex/containers/argv.js';
import { gcsUriToLocalPath, rewriteGcsMount } from '../../../emulators/vertex/containers/gcs-paths.js';
import { DEFAULT_IMAGE_MAP_FILE, ImageMap, ImageMapError, REPO_ROOT, UnmappedImageError } from '../../../emulators/vertex/containers/image-map.js';
import { LocalContainerLauncher } from '../../../emulators/vertex/containers/launcher.js';
import { COMPONENT_IMAGE } from '../../../pipelines/components/image.js';
import { sandbox } from './support.js';

const map = ImageMap.load();

describe('image map', () => {
  it('maps the images the project uses and nothing else', () => {
    expect(map.resolve('us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest')?.run).toBe('python3');
    expect(map.resolve('europe-docker.pkg.dev/vertex-ai/training/tf-gpu.2-15.py310:latest')?.run).toBe('python3');
    expect(map.resolve('python:3.11-slim')?.run).toBe('python3');
    expect(map.resolve('docker.io/library/python:3.9')?.run).toBe('python3');
    expect(map.resolve('alpine')?.run).toBe('shell');
    expect(map.resolve('busybox:1.36')?.run).toBe('shell');
    expect(map.resolve('ubuntu@sha256:abc')?.run).toBe('shell');
    const components = map.resolve(COMPONENT_IMAGE);
    expect(components?.env.PYTHONPATH).toBe(`${REPO_ROOT}/pipelines/components/python`);
    const serving = map.resolve('us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest');
    expect(serving?.run).toBe('exec');
    expect(serving?.entrypoint).toEqual([HOST_PYTHON, `${REPO_ROOT}/pipelines/components/python/serving/model_server.py`]);
    expect(map.resolve('python:3')?.run).toBe('python3');
    for (const image of ['alpine-tools', 'python:2.7', 'gcr.io/my-project/my-image', 'us-docker.pkg.dev/vertex-ai/training/unknown-cpu:1']) {
      expect(map.resolve(image), image).toBeUndefined();
    }
    expect(() => map.require('gcr.io/x/y')).toThrow(UnmappedImageError);
    expect(() => map.require('gcr.io/x/y')).toThrow(DEFAULT_IMAGE_MAP_FILE);
  });

  it('rejects invalid map files with the offending field', () => {
    expect(() => ImageMap.fromJson([{ pattern: 'x', run: 'docker', description: 'd' }], 'bad.json')).toThrow(ImageMapError);
    expect(() => ImageMap.fromJson([{ pattern: 'x', run: 'exec', description: 'd' }], 'bad.json')).toThrow(/entrypoint/);
    expect(() => ImageMap.fromJson([{ pattern: 'x', run: 'shell', description: 'd', extra: 1 }], 'bad.json')).toThrow(/extra/);
    expect(() => ImageMap.fromJson([{ pattern: '{a,b', run: 'shell', description: 'd' }], 'bad.json')).toThrow(/unbalanced/);
  });

  it('builds host command lines with Kubernetes command/args semantics', () => {
    const python = map.require('python:3.10');
    expect(hostArgv('python:3.10', python, ['python3', '-m', 'x'], ['--a'])).toEqual([HOST_PYTHON, '-m', 'x', '--a']);
    expect(hostArgv('python:3.10', python, ['echo', 'hi'], [])).toEqual(['echo', 'hi']);
    expect(() => hostArgv('python:3.10', python, [], ['--a'])).toThrow(/no command/);
    const serving = map.require('us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest');
    expect(hostArgv('s', serving, [], ['--port', '8080']).slice(2)).toEqual(['--port', '8080']);
  });
});

describe('gcs paths', () => {
  it('maps gs:// URIs and the /gcs mount onto the storage root', () => {
    expect(gcsUriToLocalPath('gs://b/dir/file.txt', '/data')).toBe('/data/b/dir/file.txt');
    expect(() => gcsUriToLocalPath('gs://b/../etc/passwd', '/data')).toThrow(/segments/);
    expect(() => gcsUriToLocalPath('s3://b/x', '/data')).toThrow(/not a gs:\/\/ URI/);
    expect(rewriteGcsMount('/gcs/b/x', '/data')).toBe('/data/b/x');
    expect(rewriteGcsMount('--out=/gcs/b/x,/gcs/c/y', '/data')).toBe('--out=/data/b/x,/data/c/y');
    expect(rewriteGcsMount('/home/gcs/b', '/data')).toBe('/home/gcs/b');
  });
});

describe('LocalContainerLauncher', () => {
  const sb = sandbox();
  afterAll(() => sb.cleanup());

  it('runs with a minimal environment, thread limits and /gcs rewritten, logging to the file', async () => {
    process.env.SECRET_FOR_TEST = 'leak';
    const launcher = new LocalContainerLauncher({ storageRoot: sb.storageRoot });
    const logFile = join(sb.dir, 'logs', 'env.log');
    const result = await launcher.launch({
      image: 'alpine:3.20',
      command: ['sh', '-c', 'env | sort; echo "arg=$0"; echo "cwd=$(pwd)"'],
      args: ['/gcs/bucket/obj'],
      env: { MY_VAR: 'v', OUT: '/gcs/bucket/out' },
      workDir: join(sb.dir, 'work'),
      logFile,
    });
    delete process.env.SECRET_FOR_TEST;
    expect(result).toEqual({ exitCode: 0, signal: null });
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('OMP_NUM_THREADS=1');
    expect(log).toContain('MY_VAR=v');
    expect(log).toContain(`OUT=${sb.storageRoot}/bucket/out`);
    expect(log).toContain(`arg=${sb.storageRoot}/bucket/obj`);
    expect(log).toContain(`cwd=${join(sb.dir, 'work')}`);
    expect(log).not.toContain('SECRET_FOR_TEST');
  });

  it('reports exit codes, signals and commands that cannot start', async () => {
    const launcher = new LocalContainerLauncher({ storageRoot: sb.storageRoot });
    const base = { image: 'busybox', args: [], env: {}, workDir: join(sb.dir, 'work'), logFile: join(sb.dir, 'logs', 'codes.log') };
    expect(await launcher.launch({ ...base, command: ['sh', '-c', 'exit 4'] })).toEqual({ exitCode: 4, signal: null });
    expect(await launcher.launch({ ...base, command: ['sh', '-c', 'kill -9 $$'] })).toEqual({ exitCode: null, signal: 'SIGKILL' });
    const missing = await launcher.launch({ ...base, command: ['no-such-program-xyz'] });
    expect(missing.exitCode).toBe(127);
    expect(missing.error).toMatch(/cannot start 'no-such-program-xyz'/);
    await expect(launcher.launch({ ...base, image: 'gcr.io/x/unmapped' , command: ['true'] })).rejects.toThrow(UnmappedImageError);
  });
});
