import { describe, expect, it } from 'vitest';
import type { PlaceholderValues } from '../../../emulators/vertex/pipeline-engine/placeholders.js';
import { resolveCommandLine, resolveConstant } from '../../../emulators/vertex/pipeline-engine/placeholders.js';
import type { RuntimeArtifact } from '../../../emulators/vertex/pipeline-engine/runtime.js';
import type { JsonValue } from '../../../pipelines/ir/index.js';

const artifact = (uri: string, metadata = {}): RuntimeArtifact => ({ name: 'projects/p/locations/l/metadataStores/default/artifacts/1', uri, schemaTitle: 'system.Dataset', schemaVersion: '0.0.1', metadata });

const system = {
  pipeline_job_name: 'job-1',
  pipeline_job_resource_name: 'projects/p/locations/l/pipelineJobs/job-1',
  pipeline_job_uuid: 'uuid-1',
  pipeline_task_name: 'task-a',
  pipeline_task_uuid: '123',
  pipeline_root: 'gs://b/root',
  pipeline_job_create_time_utc: '2030-01-01T00:00:00.000Z',
  pipeline_job_schedule_time_utc: '2030-01-01T00:00:00.000Z',
};

const values: PlaceholderValues = {
  parameters: new Map<string, JsonValue>([
    ['text', 'hello'],
    ['n', 3],
    ['cfg', { a: [1, 2] }],
  ]),
  inputArtifacts: new Map([
    ['data', [artifact('gs://b/in/data', { rows: 10, kind: 'csv' })]],
    ['many', [artifact('gs://b/in/1'), artifact('gs://b/in/2')]],
  ]),
  outputArtifacts: new Map([['model', [artifact('gs://b/out/model')]]]),
  outputParameterFiles: new Map([['score', '/tmp/out/score']]),
  outputFile: '/tmp/out/executor_output.json',
  executorInput: { inputs: { parameterValues: { text: 'hello' } } },
  system,
  localPath: (uri) => uri.replace('gs://', '/data/'),
};

describe('placeholders', () => {
  it('resolves parameter, artifact, output and system placeholders inside larger strings', () => {
    expect(
      resolveCommandLine(
        [
          "--text={{$.inputs.parameters['text']}}",
          "{{$.inputs.parameters['n']}}",
          "{{$.inputs.parameters['cfg']}}",
          "{{$.inputs.artifacts['data'].path}}",
          "{{$.inputs.artifacts['data'].uri}}",
          "{{$.inputs.artifacts['data'].metadata}}",
          "{{$.inputs.artifacts['data'].metadata['rows']}}",
          "{{$.outputs.artifacts['model'].path}}",
          "{{$.outputs.parameters['score'].output_file}}",
          '{{$.outputs.output_file}}',
          '{{$.pipeline_job_name}}/{{$.pipeline_task_name}}@{{$.pipeline_root}}',
          '{{$}}',
        ],
        values,
      ),
    ).toEqual([
      '--text=hello',
      '3',
      '{"a":[1,2]}',
      '/data/b/in/data',
      'gs://b/in/data',
      '{"rows":10,"kind":"csv"}',
      '10',
      '/data/b/out/model',
      '/tmp/out/score',
      '/tmp/out/executor_output.json',
      'job-1/task-a@gs://b/root',
      '{"inputs":{"parameterValues":{"text":"hello"}}}',
    ]);
    const list = JSON.parse(resolveCommandLine(["{{$.inputs.artifacts['many']}}"], values)[0]!) as { uri: string }[];
    expect(list.map((a) => a.uri)).toEqual(['gs://b/in/1', 'gs://b/in/2']);
  });

  it('expands Concat and IfPresent items (Then/Else as lists or single items, nested)', () => {
    const concat = JSON.stringify({ Concat: ["{{$.inputs.parameters['text']}}", '-', { IfPresent: { InputName: 'n', Then: 'has-n' } }] });
    const present = JSON.stringify({ IfPresent: { InputName: 'text', Then: ['--t', "{{$.inputs.parameters['text']}}"], Else: ['--none'] } });
    const absent = JSON.stringify({ IfPresent: { InputName: 'missing', Then: ['--m', "{{$.inputs.parameters['missing']}}"] } });
    const absentElse = JSON.stringify({ IfPresent: { InputName: 'missing', Then: ['x'], Else: { Concat: ['def', 'ault'] } } });
    expect(resolveCommandLine(['a', concat, present, absent, absentElse, 'z'], values)).toEqual(['a', 'hello-has-n', '--t', 'hello', 'default', 'z']);
  });

  it('fails clearly on missing inputs and unknown placeholders', () => {
    expect(() => resolveCommandLine(["{{$.inputs.parameters['missing']}}"], values)).toThrow(/input parameter 'missing' has no value/);
    expect(() => resolveCommandLine(["{{$.inputs.parameters['text'].json_escape[0]}}"], values)).toThrow(/not supported/);
    expect(() => resolveCommandLine(['{{$.pipeline_whatever}}'], values)).toThrow(/unknown placeholder/);
    expect(() => resolveCommandLine(["{{$.inputs.artifacts['data'].size}}"], values)).toThrow(/unknown artifact field/);
  });

  it('resolves f-string constants from the task inputs and system values only', () => {
    const params = new Map([['pipelinechannel--x', 'value']]);
    expect(resolveConstant("pre-{{$.inputs.parameters['pipelinechannel--x']}}-{{$.pipeline_job_name}}", params, system)).toBe('pre-value-job-1');
  });
});
