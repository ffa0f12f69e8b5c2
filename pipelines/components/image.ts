/**
 * The container image holding the project's Python components (scikit-learn, XGBoost, pandas).
 * Built from `pipelines/components/python`; the local Vertex emulator maps it to `/usr/bin/python3`.
 */
export const COMPONENT_IMAGE = 'us-docker.pkg.dev/vertex-mlops/components/mlops-components:0.1.0';

/** Google Cloud Pipeline Components image, whose launcher runs a HyperparameterTuningJob from a pipeline. */
export const TUNING_LAUNCHER_IMAGE = COMPONENT_IMAGE;

/** `python3 -m mlops_components.<module>`: every component is a module of one package. */
export function moduleCommand(module: string): string[] {
  return ['python3', '-m', `mlops_components.${module}`];
}
