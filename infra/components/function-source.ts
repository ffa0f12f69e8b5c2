// The functions' source: the bundle directory (`npm run build:functions`) zipped into the
// function-sources bucket as `functions/<content hash>.zip`. The object's name changes only when a
// file of the bundle does, so an unchanged bundle keeps its object and the functions do not redeploy.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { childOptions } from './child-options.js';

/** A bundle directory that cannot be deployed; the message names the stack setting. */
export class FunctionSourceError extends Error {}

/** Every file under `dir` (dotfiles and all: the archive uploads them), as sorted `/`-separated relative paths. */
function bundleFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    // statSync follows links, as the archive reads what they point at.
    const stat = statSync(join(dir, rel));
    if (stat.isDirectory()) files.push(...bundleFiles(dir, rel));
    else if (stat.isFile()) files.push(rel);
  }
  return files;
}

/**
 * sha256 (hex) over the bundle's files in sorted path order: each path, its size and its bytes, so
 * that neither a rename nor moving bytes between files keeps the hash.
 */
export function bundleContentHash(dir: string): string {
  let files: string[];
  try {
    files = bundleFiles(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (err) {
    throw new FunctionSourceError(`mlops:bundleDir: cannot read ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}); run npm run build:functions first`, { cause: err });
  }
  if (files.length === 0) throw new FunctionSourceError(`mlops:bundleDir: ${dir} holds no files; run npm run build:functions first`);
  const hash = createHash('sha256');
  for (const file of files) {
    const bytes = readFileSync(join(dir, file));
    hash.update(file).update('\0').update(String(bytes.length)).update('\0').update(bytes);
  }
  return hash.digest('hex');
}

/** The object name of a bundle with this hash. */
export function functionSourceObjectName(hash: string): string {
  return `functions/${hash}.zip`;
}

export interface FunctionSourceArgs {
  /** The built bundle (StackConfig.bundleDir). */
  readonly bundleDir: string;
  /** The function-sources bucket's name. */
  readonly bucket: pulumi.Input<string>;
}

export class FunctionSource extends pulumi.ComponentResource {
  readonly hash: string;
  readonly object: gcp.storage.BucketObject;
  /** What `buildConfig.source.storageSource` takes. */
  readonly storageSource: { readonly bucket: pulumi.Output<string>; readonly object: pulumi.Output<string> };

  constructor(name: string, args: FunctionSourceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('mlops:infra:FunctionSource', name, {}, opts);
    this.hash = bundleContentHash(args.bundleDir);
    this.object = new gcp.storage.BucketObject(
      name,
      { bucket: args.bucket, name: functionSourceObjectName(this.hash), source: new pulumi.asset.FileArchive(args.bundleDir) },
      childOptions(this, opts),
    );
    this.storageSource = { bucket: this.object.bucket, object: this.object.name };
    this.registerOutputs({ hash: this.hash, object: this.object.name });
  }
}
