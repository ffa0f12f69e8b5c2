// A pipeline run's task graph as SVG: the DAG of its PipelineSpec (every level: the root and the
// sub-DAGs such as an exit handler's), laid out in layers by longest path, each task coloured by
// the state Vertex reports for it in the job's taskDetails.
import { z } from 'zod';
import { escapeHtml } from '../html.js';

const TaskSpec = z.looseObject({
  componentRef: z.looseObject({ name: z.string() }).optional(),
  dependentTasks: z.array(z.string()).optional(),
  inputs: z.unknown().optional(),
});
const Dag = z.looseObject({ tasks: z.record(z.string(), TaskSpec).default({}) });
const Spec = z.looseObject({
  root: z.looseObject({ dag: Dag.optional() }).optional(),
  components: z.record(z.string(), z.looseObject({ dag: Dag.optional() })).default({}),
});

export interface GraphNode {
  readonly name: string;
  /** The sub-DAG the task belongs to (undefined at the root). */
  readonly parent?: string;
  readonly isDag: boolean;
}

export interface TaskGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly (readonly [string, string])[];
}

/** Producer task names an input refers to (data dependencies count as edges, as in the KFP UI). */
function producers(inputs: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    for (const [k, x] of Object.entries(v)) {
      if (k === 'producerTask' && typeof x === 'string') found.push(x);
      else walk(x);
    }
  };
  walk(inputs);
  return found;
}

/** The graph of a PipelineSpec (JSON); undefined when it has no root DAG. */
export function taskGraph(pipelineSpec: unknown): TaskGraph | undefined {
  const parsed = Spec.safeParse(pipelineSpec);
  if (!parsed.success || !parsed.data.root?.dag) return undefined;
  const { components } = parsed.data;
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  const visit = (dag: z.infer<typeof Dag>, parent: string | undefined, depth: number) => {
    for (const [name, task] of Object.entries(dag.tasks)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const inner = task.componentRef ? components[task.componentRef.name]?.dag : undefined;
      nodes.push({ name, ...(parent ? { parent } : {}), isDag: inner !== undefined });
      const deps = new Set([...(task.dependentTasks ?? []), ...producers(task.inputs)].filter((d) => d in dag.tasks && d !== name));
      for (const d of deps) edges.push([d, name]);
      if (parent && deps.size === 0) edges.push([parent, name]);
      if (inner && depth < 8) visit(inner, name, depth + 1);
    }
  };
  visit(parsed.data.root.dag, undefined, 0);
  return { nodes, edges };
}

const FILL: Record<string, [string, string]> = {
  SUCCEEDED: ['#d7f0dd', '#2e7d32'],
  FAILED: ['#fbd9d7', '#c62828'],
  RUNNING: ['#fdf0c6', '#b08800'],
  PENDING: ['#eef1f5', '#7a8594'],
  CANCELLED: ['#e3e7ec', '#555'],
  CANCELING: ['#e3e7ec', '#555'],
  SKIPPED: ['#f4f4f4', '#999'],
  NOT_TRIGGERED: ['#f4f4f4', '#999'],
};

const BOX_W = 190;
const BOX_H = 40;
const GAP_X = 60;
const GAP_Y = 18;

/** Layers by longest path from a source; ties keep the spec's order. */
function layers(graph: TaskGraph): Map<string, number> {
  const layer = new Map(graph.nodes.map((n) => [n.name, 0]));
  for (let round = 0; round < graph.nodes.length; round += 1) {
    let changed = false;
    for (const [from, to] of graph.edges) {
      const next = (layer.get(from) ?? 0) + 1;
      if (next > (layer.get(to) ?? 0)) {
        layer.set(to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** The SVG: one box per task (state in its class, colour and label), arrows for dependencies. */
export function taskGraphSvg(graph: TaskGraph, states: ReadonlyMap<string, string>): string {
  const layer = layers(graph);
  const columns = new Map<number, string[]>();
  for (const n of graph.nodes) columns.set(layer.get(n.name)!, [...(columns.get(layer.get(n.name)!) ?? []), n.name]);
  const pos = new Map<string, { x: number; y: number }>();
  for (const [col, names] of columns) names.forEach((name, row) => pos.set(name, { x: 10 + col * (BOX_W + GAP_X), y: 10 + row * (BOX_H + GAP_Y) }));
  const width = 20 + Math.max(1, columns.size) * (BOX_W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...[...columns.values()].map((c) => c.length)) * (BOX_H + GAP_Y) - GAP_Y;
  const arrows = graph.edges.map(([from, to]) => {
    const a = pos.get(from)!;
    const b = pos.get(to)!;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    return `<path d="M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2 - 4},${y2}" fill="none" stroke="#8a94a3" stroke-width="1.5" marker-end="url(#arrow)"/>`;
  });
  const boxes = graph.nodes.map((n) => {
    const { x, y } = pos.get(n.name)!;
    const state = states.get(n.name) ?? 'PENDING';
    const [fill, stroke] = FILL[state] ?? ['#eef1f5', '#7a8594'];
    const label = n.name.length > 26 ? `${n.name.slice(0, 25)}…` : n.name;
    return `<g class="task state-${escapeHtml(state)}" data-task="${escapeHtml(n.name)}" data-state="${escapeHtml(state)}"><title>${escapeHtml(`${n.name}: ${state}`)}</title>` +
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${state === 'FAILED' ? 2.5 : 1.2}"${n.isDag ? ' stroke-dasharray="5 3"' : ''}/>` +
      `<text x="${x + 8}" y="${y + 16}" font-size="12" font-family="Helvetica, Arial, sans-serif" fill="#1d232b">${escapeHtml(label)}</text>` +
      `<text x="${x + 8}" y="${y + 32}" font-size="10" font-family="Helvetica, Arial, sans-serif" fill="${stroke}">${escapeHtml(state)}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="task-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="task graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a94a3"/></marker></defs>` +
    `${arrows.join('')}${boxes.join('')}</svg>`;
}
