// The drift scores' Cloud Monitoring metric types, declared once: checkDrift writes them and the
// models' alert policies (infra/alert-policies.ts) watch them.
export const DRIFT_METRIC_PREFIX = 'custom.googleapis.com/mlops/drift/';
/** GAUGE DOUBLE on `global`; labels: model, version (id), feature, metric (jensen_shannon, l_infinity, psi, ks). */
export const FEATURE_SCORE_METRIC = `${DRIFT_METRIC_PREFIX}feature_score`;
/** labels: model, version, metric (distance: the largest Jensen-Shannon or L-infinity; psi). */
export const MAX_SCORE_METRIC = `${DRIFT_METRIC_PREFIX}max_score`;
/** labels: model, version: how many watched features are beyond their thresholds. */
export const DRIFTED_FEATURES_METRIC = `${DRIFT_METRIC_PREFIX}drifted_features`;
