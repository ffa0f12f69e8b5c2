import { describe, expect, it } from 'vitest';
import type { ImportModelEvaluationInput } from '../../vertex/requests/import-model-evaluation.js';
import {
  buildImportModelEvaluationRequest,
  CLASSIFICATION_METRICS_SCHEMA_URI,
  REGRESSION_METRICS_SCHEMA_URI,
} from '../../vertex/requests/import-model-evaluation.js';
import type { UploadModelInput } from '../../vertex/requests/upload-model.js';
import { buildUploadModelRequest } from '../../vertex/requests/upload-model.js';
import { artifactRegionFor, isPrebuiltServingImage, prebuiltServingImage, SKLEARN_1_5_CPU, XGBOOST_2_1_CPU } from '../../vertex/requests/prebuilt-containers.js';
import { fromProtoValue } from '../../vertex/shared/struct.js';
import { expectFieldError, expectValidRequest, LOCATION, PARENT } from './support.js';

const MODEL = `${PARENT}/models/churn`;

function upload(overrides: Partial<UploadModelInput> = {}): UploadModelInput {
  return {
    ...LOCATION,
    displayName: 'churn-classifier',
    artifactUri: 'gs://mlops-demo-models/churn/run-7/model',
    container: { imageUri: SKLEARN_1_5_CPU },
    ...overrides,
  };
}

describe('prebuilt serving images', () => {
  it('spells the image URIs Vertex publishes', () => {
    expect(prebuiltServingImage('sklearn', '1.5')).toBe(SKLEARN_1_5_CPU);
    expect(prebuiltServingImage('xgboost', '2.1')).toBe(XGBOOST_2_1_CPU);
    expect(prebuiltServingImage('xgboost', '2.1', { region: artifactRegionFor('europe-west4') })).toMatch(/^europe-docker\.pkg\.dev\//);
    expect(artifactRegionFor('asia-northeast1')).toBe('asia');
    expect(artifactRegionFor('us-central1')).toBe('us');
    expect(isPrebuiltServingImage(SKLEARN_1_5_CPU)).toBe(true);
    expect(isPrebuiltServingImage('us-central1-docker.pkg.dev/p/r/server:1')).toBe(false);
    expect(() => prebuiltServingImage('sklearn', '1.5', { accelerator: 'gpu' })).toThrow(/CPU-only/);
    expect(() => prebuiltServingImage('sklearn', '1')).toThrow(/MAJOR.MINOR/);
  });
});

describe('buildUploadModelRequest', () => {
  it('uploads a new model with a prebuilt image, labels and metadata', () => {
    const request = buildUploadModelRequest(upload({
      modelId: 'churn',
      versionAliases: ['candidate'],
      versionDescription: 'run 7',
      labels: { team: 'churn' },
      metadata: { framework: 'sklearn', features: ['tenure', 'plan'] },
    }));
    expectValidRequest('UploadModelRequest', request);
    expect(request.model?.versionAliases).toEqual(['candidate']);
    expect(fromProtoValue(request.model?.metadata)).toEqual({ framework: 'sklearn', features: ['tenure', 'plan'] });
    expect(request.parentModel).toBeUndefined();
  });

  it('adds a version to an existing model and can make it the default', () => {
    const request = buildUploadModelRequest(upload({ parentModel: MODEL, versionAliases: ['challenger', 'run-7'], makeDefaultVersion: true }));
    expectValidRequest('UploadModelRequest', request);
    expect(request.parentModel).toBe(MODEL);
    expect(request.model?.versionAliases).toEqual(['challenger', 'run-7', 'default']);
  });

  it('uploads a custom serving container with routes, port and env', () => {
    const request = buildUploadModelRequest(upload({
      artifactUri: undefined,
      container: { imageUri: 'us-central1-docker.pkg.dev/mlops-demo/serving/churn:2.0.1', predictRoute: '/predict', healthRoute: '/health', port: 8080, env: { LOG_LEVEL: 'info' } },
    }));
    expectValidRequest('UploadModelRequest', request);
    expect(request.model?.containerSpec?.ports).toEqual([{ containerPort: 8080 }]);
  });

  it('rejects invalid combinations, naming the field', () => {
    expectFieldError(() => buildUploadModelRequest(upload({ artifactUri: undefined })), 'artifactUri', /prebuilt/);
    expectFieldError(() => buildUploadModelRequest(upload({ artifactUri: 'https://storage.googleapis.com/b/m' })), 'artifactUri');
    expectFieldError(() => buildUploadModelRequest(upload({ parentModel: MODEL, modelId: 'churn' })), 'modelId', /parentModel/);
    expectFieldError(() => buildUploadModelRequest(upload({ parentModel: `${MODEL}@3` })), 'parentModel', /@version/);
    expectFieldError(() => buildUploadModelRequest(upload({ parentModel: 'projects/mlops-demo/locations/europe-west4/models/churn' })), 'parentModel');
    expectFieldError(() => buildUploadModelRequest(upload({ modelId: '1churn' })), 'modelId');
    expectFieldError(() => buildUploadModelRequest(upload({ versionAliases: ['default'] })), 'versionAliases[0]', /makeDefaultVersion/);
    expectFieldError(() => buildUploadModelRequest(upload({ versionAliases: ['42'] })), 'versionAliases[0]');
    expectFieldError(() => buildUploadModelRequest(upload({ versionAliases: ['Prod'] })), 'versionAliases[0]');
    expectFieldError(() => buildUploadModelRequest(upload({ versionAliases: ['prod-'] })), 'versionAliases[0]');
    expectFieldError(() => buildUploadModelRequest(upload({ versionAliases: ['prod', 'prod'] })), 'versionAliases[1]', /duplicate/);
    expectFieldError(() => buildUploadModelRequest(upload({ container: { imageUri: SKLEARN_1_5_CPU, predictRoute: 'predict' } })), 'container.predictRoute');
    expectFieldError(() => buildUploadModelRequest(upload({ container: { imageUri: SKLEARN_1_5_CPU, port: 70000 } })), 'container.port');
    expectFieldError(() => buildUploadModelRequest(upload({ container: { imageUri: 'Not An Image' } })), 'container.imageUri');
  });
});

describe('buildImportModelEvaluationRequest', () => {
  it('imports regression metrics under the regression schema', () => {
    const metrics = { rootMeanSquaredError: 12.5, meanAbsoluteError: 9.1, meanAbsolutePercentageError: 0.12, rSquared: 0.83, rootMeanSquaredLogError: 0.2 };
    const request = buildImportModelEvaluationRequest({ model: `${MODEL}@2`, displayName: 'holdout', evaluation: { kind: 'regression', metrics } });
    expectValidRequest('ImportModelEvaluationRequest', request);
    expect(request.parent).toBe(`${MODEL}@2`);
    expect(request.modelEvaluation?.metricsSchemaUri).toBe(REGRESSION_METRICS_SCHEMA_URI);
    expect(fromProtoValue(request.modelEvaluation?.metrics)).toEqual(metrics);
  });

  it('imports classification metrics with confidence metrics and a confusion matrix', () => {
    const evaluation: ImportModelEvaluationInput['evaluation'] = {
      kind: 'classification',
      metrics: {
        auPrc: 0.91,
        auRoc: 0.94,
        logLoss: 0.27,
        confidenceMetrics: [
          { confidenceThreshold: 0.5, precision: 0.8, recall: 0.7, f1Score: 0.75, truePositiveCount: 70, falsePositiveCount: 18 },
        ],
        confusionMatrix: { annotationSpecs: [{ displayName: 'stay' }, { id: '1', displayName: 'churn' }], rows: [[900, 18], [30, 70]] },
      },
    };
    const request = buildImportModelEvaluationRequest({ model: MODEL, evaluation });
    expectValidRequest('ImportModelEvaluationRequest', request);
    expect(request.modelEvaluation?.metricsSchemaUri).toBe(CLASSIFICATION_METRICS_SCHEMA_URI);
    expect(fromProtoValue(request.modelEvaluation?.metrics)).toEqual(evaluation.metrics);
  });

  it('rejects out-of-range or inconsistent metrics, naming the field', () => {
    const classify = (metrics: object): ImportModelEvaluationInput => ({ model: MODEL, evaluation: { kind: 'classification', metrics } });
    expectFieldError(() => buildImportModelEvaluationRequest(classify({ auRoc: 1.2 })), 'evaluation.metrics.auRoc');
    expectFieldError(() => buildImportModelEvaluationRequest(classify({ logLoss: Number.NaN })), 'evaluation.metrics.logLoss');
    expectFieldError(() => buildImportModelEvaluationRequest(classify({ confidenceMetrics: [{ confidenceThreshold: 0.5, truePositiveCount: 1.5 }] })),
      'evaluation.metrics.confidenceMetrics[0].truePositiveCount');
    expectFieldError(() => buildImportModelEvaluationRequest(classify({ confusionMatrix: { annotationSpecs: [{ displayName: 'a' }, { displayName: 'b' }], rows: [[1, 2]] } })),
      'evaluation.metrics.confusionMatrix.rows');
    expectFieldError(() => buildImportModelEvaluationRequest(classify({ confusionMatrix: { annotationSpecs: [{ displayName: 'a' }], rows: [[1, 2]] } })),
      'evaluation.metrics.confusionMatrix.rows[0]');
    expectFieldError(() => buildImportModelEvaluationRequest({ model: MODEL, evaluation: { kind: 'regression', metrics: { rootMeanSquaredError: -1 } } }),
      'evaluation.metrics.rootMeanSquaredError');
    expectFieldError(() => buildImportModelEvaluationRequest({ model: MODEL, evaluation: { kind: 'regression', metrics: {} } }), 'evaluation.metrics');
    expectFieldError(() => buildImportModelEvaluationRequest({ model: 'models/churn', evaluation: { kind: 'regression', metrics: { rSquared: 0.5 } } }), 'model');
  });
});
