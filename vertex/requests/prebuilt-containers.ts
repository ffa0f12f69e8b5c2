// Vertex AI prebuilt prediction images:
// `{us|europe|asia}-docker.pkg.dev/vertex-ai/prediction/{framework}-{cpu|gpu}.{major}-{minor}:latest`
// (only the `latest` tag is supported). scikit-learn images load model.joblib or model.pkl,
// XGBoost images model.bst, model.joblib or model.pkl, from the model's artifactUri.

export type ArtifactRegistryRegion = 'us' | 'europe' | 'asia';
export type PrebuiltFramework = 'sklearn' | 'xgboost' | 'tf2' | 'pytorch';

export const SKLEARN_1_5_CPU = 'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest';
export const XGBOOST_2_1_CPU = 'us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.2-1:latest';

const PREBUILT_IMAGE = /^(us|europe|asia)-docker\.pkg\.dev\/vertex-ai\/prediction\/([a-z0-9]+)-(cpu|gpu)\.(\d+)-(\d+):latest$/;

/** The multi-region repository closest to a Vertex location (images are the same in each). */
export function artifactRegionFor(location: string): ArtifactRegistryRegion {
  if (location.startsWith('europe') || location.startsWith('me-') || location.startsWith('africa')) return 'europe';
  if (location.startsWith('asia') || location.startsWith('australia')) return 'asia';
  return 'us';
}

/** e.g. prebuiltServingImage('sklearn', '1.5') → us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-5:latest */
export function prebuiltServingImage(
  framework: PrebuiltFramework,
  version: string,
  options: { readonly region?: ArtifactRegistryRegion; readonly accelerator?: 'cpu' | 'gpu' } = {},
): string {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (match === null) throw new Error(`version: expected MAJOR.MINOR like 1.5, got ${JSON.stringify(version)}`);
  if ((framework === 'sklearn' || framework === 'xgboost') && options.accelerator === 'gpu') {
    throw new Error(`accelerator: ${framework} prediction images are CPU-only`);
  }
  return `${options.region ?? 'us'}-docker.pkg.dev/vertex-ai/prediction/${framework}-${options.accelerator ?? 'cpu'}.${match[1]}-${match[2]}:latest`;
}

export function isPrebuiltServingImage(imageUri: string): boolean {
  return PREBUILT_IMAGE.test(imageUri);
}
