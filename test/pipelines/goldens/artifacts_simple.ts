// artifacts_simple.yaml (parallelfor_fan_in): a loop over [1, 2, 3] writes one Dataset per
// iteration; the Datasets are fanned in as an artifact list to a lightweight adder and a container
// adder, and returned as the pipeline output.
import type { ArtifactChannel } from '../../../pipelines/dsl/index.js';
import { artifact, collected, containerComponent, definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const double = lightweightComponent({
  name: 'double',
  inputs: { num: param.int() },
  outputs: { out_dataset: artifact.dataset() },
  source: "def double(num: int, out_dataset: Output[Dataset]):\n    with open(out_dataset.path, 'w') as f:\n        f.write(str(2 * num))\n",
});

const add = lightweightComponent({
  name: 'add',
  inputs: { in_datasets: artifact.dataset({ list: true }) },
  outputs: { out_dataset: artifact.dataset() },
  source: 'def add(in_datasets: Input[List[Dataset]], out_dataset: Output[Dataset]): ...\n',
});

const ADD_CONTAINER_PROGRAM = `
import argparse
import json
import os

def main(in_datasets, out_dataset_uri):
    in_dicts = json.loads(in_datasets)
    uris = [d['uri'] for d in in_dicts]
    total = 0
    for uri in uris:
        with open(uri.replace('gs://', '/gcs/')) as f:
            total += int(f.read())

    outpath = out_dataset_uri.replace('gs://', '/gcs/')
    os.makedirs(os.path.dirname(outpath), exist_ok=True)
    with open(outpath, 'w') as f:
        f.write(str(total))

parser = argparse.ArgumentParser()
parser.add_argument('in_datasets')
parser.add_argument('out_dataset_uri')
args = parser.parse_args()

main(args.in_datasets, args.out_dataset_uri)
`;

const addContainer = containerComponent({
  name: 'add_container',
  inputs: { in_datasets: artifact.dataset({ list: true }) },
  outputs: { out_dataset: artifact.dataset() },
  image: 'python:3.9',
  command: () => ['python', '-c'],
  args: ({ inputs, outputs }) => [ADD_CONTAINER_PROGRAM, inputs.in_datasets.list, outputs.out_dataset.uri],
});

export default definePipeline({ name: 'math-pipeline' }, (p) => {
  let doubled: ArtifactChannel | undefined;
  p.parallelFor([1, 2, 3], (x) => {
    doubled = p.task(double, { num: x }).outputs.out_dataset;
  });
  if (!doubled) throw new Error('loop body did not run');
  p.task(add, { in_datasets: collected(doubled) });
  p.task(addContainer, { in_datasets: collected(doubled) });
  return { Output: collected(doubled) };
});
