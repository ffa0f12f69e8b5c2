// A registered version's model card: what it is for, what data it saw, how it measured (with the
// comparison's confidence interval), how it compared with the champion, what tuning chose, what it
// cost, and where it should not be trusted. Built once as a list of blocks and rendered to Markdown
// and to a self-contained HTML page (every string escaped). Deterministic: the same run, decision and
// estimate give the same bytes, so a redelivered completion rewrites the card unchanged.
import { tableReferenceText } from '../config/bigquery-source.js';
import type { ResolvedModelSpec } from '../config/load-model-specs.js';
import type { DecisionRecord } from '../evaluation/decision.js';
import type { TrainingRunRecord } from '../state/training-runs.js';
import type { TuningRunRecord } from '../state/tuning-runs.js';
import type { CostEstimate } from './cost-estimate.js';

export interface ModelCardInput {
  readonly spec: ResolvedModelSpec;
  readonly run: TrainingRunRecord;
  readonly decision: DecisionRecord;
  readonly modelType: string;
  readonly alias: string;
  readonly artifactUri: string;
  readonly costEstimate?: CostEstimate;
  /** The tuning run the training run came from, when it did. */
  readonly tuningRun?: TuningRunRecord;
  /** Its trials' compute at list prices (from its results), when known. */
  readonly tuningCost?: { trials: number; hours: number; usd: number | null; machineType: string; pricesAsOf: string };
}

type Block =
  | { readonly kind: 'p'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'table'; readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'code'; readonly text: string };
interface Section {
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** A number as the card shows it: at most 6 significant digits, no exponent noise for everyday sizes. */
export function num(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'n/a';
  return Number(n.toPrecision(6)).toString();
}

const kv = (rows: readonly (readonly [string, string | undefined])[]): Block => ({ kind: 'table', head: ['', ''], rows: rows.filter((r): r is readonly [string, string] => r[1] !== undefined) });

function intendedUse(spec: ResolvedModelSpec): Section {
  const text = spec.intendedUse
    ?? `${(spec.description.trim() || spec.displayName).replace(/\.+$/, '')}. A ${spec.task} model for ${spec.displayName}, served from its Vertex AI endpoint; to be used on data like its training source below, and re-judged by the champion/challenger gate at every retrain.`;
  return { title: 'Intended use', blocks: [{ kind: 'p', text }] };
}

function overview({ spec, run, decision, modelType, alias, artifactUri }: ModelCardInput): Section {
  return {
    title: 'Overview',
    blocks: [kv([
      ['Model', `${spec.displayName} (${spec.name})`],
      ['Task', spec.task],
      ['Model type', modelType],
      ['Registered as', alias],
      ['Decision', `${decision.outcome} at ${decision.createTime}`],
      ['Training run', run.name],
      ['Trigger', `${run.trigger}${run.requestedBy ? ` by ${run.requestedBy}` : ''}: ${run.reason}`],
      ['PipelineJob', decision.pipelineJob],
      ['Artifacts', artifactUri],
    ])],
  };
}

function trainingData({ spec, run }: ModelCardInput): Section {
  const source = spec.source;
  const blocks: Block[] = [];
  if (source.kind === 'table') blocks.push(kv([['Source table', tableReferenceText(source.table)], ['Sample fraction', source.sampleFraction === undefined ? 'all rows' : num(source.sampleFraction)]]));
  else {
    blocks.push({ kind: 'p', text: 'Source query (GoogleSQL, named parameters):' });
    blocks.push({ kind: 'code', text: source.query.trim() });
    const parameters = { ...Object.fromEntries(Object.entries(source.parameters).map(([k, p]) => [k, p.value])), ...(run.sourceParameters ?? {}) };
    const names = Object.keys(parameters).sort();
    if (names.length > 0) blocks.push({ kind: 'table', head: ['Query parameter', 'Value'], rows: names.map((n) => [n, String(parameters[n])]) });
  }
  const snapshot = run.snapshot;
  blocks.push(kv([
    ['Target', source.target],
    ['Features', source.features.join(', ')],
    ['Time column', source.timeColumn],
    ['Time window', `${source.timeColumn ? `${source.timeColumn} as the source${source.kind === 'query' ? ' and its parameters' : ''} select it, ` : 'the whole source, '}up to the snapshot's export${snapshot ? ` at ${snapshot.createTime}` : ''}`],
    ['Snapshot', snapshot?.uri ?? 'none recorded'],
    ['Rows', snapshot ? String(snapshot.rowCount) : 'unknown'],
    ['Export job', snapshot?.bigqueryJob],
    ['Drifted features (trigger)', run.driftedFeatures?.length ? run.driftedFeatures.join(', ') : undefined],
  ]));
  return { title: 'Training data', blocks };
}

function metrics({ spec, decision }: ModelCardInput): Section {
  const names = Object.keys(decision.metrics).sort();
  const c = decision.comparison;
  const blocks: Block[] = [
    { kind: 'p', text: `Measured by the pipeline's evaluate step on the held-out test split of the same snapshot${c?.n_rows !== undefined ? ` (${c.n_rows} rows)` : ''}.` },
    names.length > 0 ? { kind: 'table', head: ['Metric', 'Value'], rows: names.map((n) => [n, num(decision.metrics[n])]) } : { kind: 'p', text: 'The evaluate step reported no metrics.' },
  ];
  const thresholds = Object.entries(spec.evaluation.thresholds).sort(([a], [b]) => a.localeCompare(b));
  if (thresholds.length > 0) blocks.push({ kind: 'table', head: ['Gate threshold', 'Bound'], rows: thresholds.map(([m, t]) => [m, [t.min !== undefined ? `≥ ${num(t.min)}` : '', t.max !== undefined ? `≤ ${num(t.max)}` : ''].filter(Boolean).join(', ')]) });
  if (decision.gate) blocks.push({ kind: 'p', text: `Gate: ${decision.gate.approved ? 'passed' : 'failed'}: ${decision.gate.reason}` });
  if (c && typeof c.ci_low === 'number' && typeof c.ci_high === 'number') {
    blocks.push({ kind: 'p', text: `Confidence interval (paired bootstrap over the test split, ${c.bootstrap_samples ?? '?'} samples): ${c.metric} difference to the champion ${num(c.difference)}, ${Math.round((c.confidence ?? 0) * 100)}% CI [${num(c.ci_low)}, ${num(c.ci_high)}].` });
  }
  return { title: 'Evaluation', blocks };
}

function comparison({ decision }: ModelCardInput): Section {
  const c = decision.comparison;
  const blocks: Block[] = [];
  if (!c || c.verdict === 'no_champion') blocks.push({ kind: 'p', text: 'No champion to compare with: the first approved model becomes champion.' });
  else {
    blocks.push(kv([
      ['Champion version', decision.champion],
      ['Metric', `${c.metric}${c.direction ? ` (${c.direction} is better)` : ''}`],
      ['This version', num(c.challenger)],
      ['The champion', num(c.champion)],
      ['Difference (this − champion)', num(c.difference)],
      [`${Math.round((c.confidence ?? 0) * 100)}% confidence interval`, `[${num(c.ci_low)}, ${num(c.ci_high)}]`],
      ['Rows compared', c.n_rows === undefined ? undefined : String(c.n_rows)],
      ['Verdict', c.verdict],
    ]));
  }
  blocks.push({ kind: 'p', text: `Decision: ${decision.outcome}.` });
  blocks.push({ kind: 'list', items: decision.reasons });
  return { title: 'Comparison with the champion', blocks };
}

function tuning({ tuningRun, tuningCost }: ModelCardInput): Section | undefined {
  if (!tuningRun) return undefined;
  const best = tuningRun.bestTrial;
  const hyper = best ? Object.keys(best.hyperparameters).sort().map((k) => `${k}=${String(best.hyperparameters[k])}`).join(', ') : undefined;
  const perType = Object.entries(tuningRun.bestPerModelType ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return {
    title: 'Tuning',
    blocks: [
      kv([
        ['Tuning run', tuningRun.name],
        ['Study metric', `${tuningRun.study.metric.id} (${tuningRun.study.metric.goal})`],
        ['Model types tried', tuningRun.study.modelTypes.join(', ')],
        ['Trials (at most)', String(tuningRun.study.maxTrialCount)],
        ['Best trial', best ? `${best.id}: ${best.modelType}, ${tuningRun.study.metric.id} ${num(best.value)}` : 'none'],
        ['Best hyperparameters', hyper || undefined],
        ['Trials\' compute (the tuning run\'s own cost)', tuningCost ? `${tuningCost.trials} trials, ${num(tuningCost.hours)} h on ${tuningCost.machineType}: ${tuningCost.usd === null ? 'unpriced' : `USD ${num(tuningCost.usd)}`} at list prices of ${tuningCost.pricesAsOf}` : undefined],
      ]),
      ...(perType.length > 0 ? [{ kind: 'table', head: ['Model type', 'Best trial'], rows: perType.map(([t, id]) => [t, id]) } as const] : []),
    ],
  };
}

function cost({ costEstimate }: ModelCardInput): Section {
  if (!costEstimate) return { title: 'Cost estimate', blocks: [{ kind: 'p', text: 'No estimate was made for this run.' }] };
  const blocks: Block[] = [
    { kind: 'p', text: `Estimated ${costEstimate.currency} ${num(costEstimate.total)}${costEstimate.unpriced.length > 0 ? ' at least (some tasks could not be priced)' : ''}: list prices in ${costEstimate.region} as of ${costEstimate.pricesAsOf}, not a bill.` },
    {
      kind: 'table',
      head: ['Task', 'Machine', 'Accelerator', 'Hours', 'USD'],
      rows: [
        ...costEstimate.items.map((i) => [i.task, i.machineType ?? 'unknown', i.accelerator ? `${i.accelerator.count} × ${i.accelerator.type}` : '—', num(i.hours), i.usd === null ? `unpriced: ${i.note ?? ''}` : num(i.usd)]),
        ...costEstimate.fees.map((f) => [f.name, '—', '—', '—', num(f.usd)]),
      ],
    },
    { kind: 'p', text: `Prices: ${costEstimate.source}` },
  ];
  if (costEstimate.unfinished.length > 0) blocks.push({ kind: 'p', text: `Not counted (still running when estimated): ${costEstimate.unfinished.join(', ')}.` });
  return { title: 'Cost estimate', blocks };
}

function limits({ spec }: ModelCardInput): Section {
  return {
    title: 'Known limits',
    blocks: [{
      kind: 'list',
      items: [
        ...spec.knownLimits,
        'Trained on one snapshot of its source: it knows only the period and the sample the snapshot holds, and may degrade as the data moves on (drift checks watch for this).',
        'Its metrics come from a held-out split of the same snapshot, the same period: they say little about a later period, which only the canary rollout and the performance check on actuals measure.',
        'The champion comparison is a paired bootstrap on that split; its interval covers sampling noise of the split, not a change of the data.',
        `Only the features listed above (${spec.source.features.join(', ')}) are used; anything else that drives ${spec.source.target} is invisible to it.`,
      ],
    }],
  };
}

function sections(input: ModelCardInput): Section[] {
  return [overview(input), intendedUse(input.spec), trainingData(input), metrics(input), comparison(input), tuning(input), cost(input), limits(input)].filter((s): s is Section => s !== undefined);
}

const title = (input: ModelCardInput) => `Model card: ${input.spec.displayName} (${input.spec.name}), training run ${input.run.id}`;

// ---- Markdown ------------------------------------------------------------------------------------

/** Text safe in a Markdown paragraph or table cell: markup characters escaped, no line breaks. */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>#+!|~]/g, (c) => `\\${c}`)
    // Every line break (CRLF, LF and a lone CR, which CommonMark also ends a line on).
    .replace(/\r\n?|\n/g, ' ')
    // A leading `-`, `1.` or `1)` would start a list.
    .replace(/^(\s*)(-(?=\s|$)|\d+(?=[.)](?:\s|$)))/, (_, space: string, mark: string) => (mark === '-' ? `${space}\\-` : `${space}${mark}\\`));
}

function markdownBlock(b: Block): string {
  switch (b.kind) {
    case 'p':
      return markdownText(b.text);
    case 'list':
      return b.items.map((i) => `- ${markdownText(i)}`).join('\n');
    case 'code': {
      // A fence longer than any backtick run inside.
      const longest = Math.max(2, ...(b.text.match(/`+/g) ?? []).map((m) => m.length));
      const fence = '`'.repeat(longest + 1);
      return `${fence}sql\n${b.text}\n${fence}`;
    }
    case 'table': {
      const head = b.head.every((h) => h === '') ? ['Field', 'Value'] : b.head;
      return [`| ${head.map(markdownText).join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...b.rows.map((r) => `| ${r.map(markdownText).join(' | ')} |`)].join('\n');
    }
  }
}

export function renderMarkdown(input: ModelCardInput): string {
  const parts = [`# ${markdownText(title(input))}`];
  for (const s of sections(input)) parts.push(`## ${markdownText(s.title)}`, ...s.blocks.map(markdownBlock));
  return `${parts.join('\n\n')}\n`;
}

// ---- HTML ----------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'p':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'code':
      return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    case 'table': {
      const head = b.head.every((h) => h === '') ? '' : `<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
      const keyed = head === '';
      const rows = b.rows.map((r) => `<tr>${r.map((c, i) => (keyed && i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
  }
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#202124}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dadce0}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #dadce0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f4}pre{background:#f8f9fa;padding:.75rem;overflow-x:auto}`;

export function renderHtml(input: ModelCardInput): string {
  const body = sections(input).map((s) => `<section>\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(htmlBlock).join('\n')}\n</section>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n<title>${escapeHtml(title(input))}</title>\n<style>\n${STYLE}\n</style>\n</head>\n<body>\n<h1>${escapeHtml(title(input))}</h1>\n${body}\n</body>\n</html>\n`;
}
