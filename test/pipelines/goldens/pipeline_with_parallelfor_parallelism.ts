// pipeline_with_parallelfor_parallelism.yaml: loops with parallelism 2 / 0 / 1, nested loops, static
// dict lists, loops over task outputs typed List[Dict[str, int]] / List[Dict] / List[dict] (STRUCT
// items) and bare List (STRING items), and a component loaded from the compiled YAML of
// `list_dict_maker_1` (an untyped LIST output, so STRING items) whose task key clashes into
// `list-dict-maker-1-2`.
import { definePipeline, param } from '../../../pipelines/dsl/index.js';
import { lightweightComponent } from '../lightweight.js';

const printText = lightweightComponent({
  name: 'print_text',
  inputs: { msg: param.string() },
  source: 'def print_text(msg: str):\n    print(msg)\n',
});

const printInt = lightweightComponent({
  name: 'print_int',
  inputs: { x: param.int() },
  source: 'def print_int(x: int):\n    print(x)\n',
});

const listDictMaker = (name: string, annotation: string, items?: 'STRUCT') =>
  lightweightComponent({
    name,
    outputs: { Output: items ? param.list({ items }) : param.list() },
    source: `def ${name}() -> ${annotation}:\n    return [{'a': 1, 'b': 2}, {'a': 2, 'b': 3}, {'a': 3, 'b': 4}]\n`,
  });

const listDictMaker0 = listDictMaker('list_dict_maker_0', 'List[Dict[str, int]]', 'STRUCT');
const listDictMaker1 = listDictMaker('list_dict_maker_1', 'List[Dict]', 'STRUCT');
const listDictMaker2 = listDictMaker('list_dict_maker_2', 'List[dict]', 'STRUCT');
const listDictMaker3 = listDictMaker('list_dict_maker_3', 'List');
// `components.load_component_from_file(<list_dict_maker_1 compiled to YAML>)`: same name, but the
// loaded interface only knows `LIST`, so loop items are STRING.
const loadedDictMaker = listDictMaker('list_dict_maker_1', 'List[Dict]');

export default definePipeline(
  { name: 'pipeline-with-loops', inputs: { loop_parameter: param.list({ items: 'STRING' }) } },
  (p, { loop_parameter }) => {
    // Loop argument is from a pipeline input.
    p.parallelFor(
      loop_parameter,
      (item) => {
        p.task(printText, { msg: item });
        p.parallelFor(loop_parameter, (nestedItem) => {
          p.task(printText, { msg: nestedItem });
        });
      },
      { parallelism: 2 },
    );

    // Loop argument is a static value known at compile time.
    const loopArgs = [
      { A_a: '1', B_b: '2' },
      { A_a: '10', B_b: '20' },
    ];
    p.parallelFor(
      loopArgs,
      (item) => {
        p.task(printText, { msg: item.field('A_a') });
        p.task(printText, { msg: item.field('B_b') });

        const nestedLoopArgs = [
          { A_a: '10', B_b: '20' },
          { A_a: '100', B_b: '200' },
        ];
        p.parallelFor(
          nestedLoopArgs,
          (nestedItem) => {
            p.task(printText, { msg: nestedItem.field('A_a') });
            p.task(printText, { msg: nestedItem.field('B_b') });
          },
          { parallelism: 1 },
        );
      },
      { parallelism: 0 },
    );

    // Loop argument that is a static dictionary known at compile time.
    const dictLoopArgument = [
      { a: 1, b: 2 },
      { a: 2, b: 3 },
      { a: 3, b: 4 },
    ];
    p.parallelFor(
      dictLoopArgument,
      (item) => {
        p.task(printInt, { x: item.field('a') });
      },
      { parallelism: 1 },
    );

    // Loop arguments coming from upstream components.
    for (const maker of [listDictMaker0, listDictMaker1, listDictMaker2, listDictMaker3, loadedDictMaker]) {
      const t = p.task(maker);
      p.parallelFor(t.output, (item) => {
        p.task(printInt, { x: item.field('a') });
      });
    }
  },
);
