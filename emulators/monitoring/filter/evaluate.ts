// Turns a parsed filter into a predicate over some subject (a time series, a metric descriptor).
// Each caller supplies its selectors; a selector it does not know is an error naming it, so an
// unsupported filter is a clear 400 instead of silently matching nothing.
import { FilterSyntaxError } from './lexer.js';
import type { FilterExpr, FilterValue } from './parser.js';
import { compileFullMatch } from './regex.js';

/** Resolves a selector (`metric.labels.k`) to a reader of the subject, or undefined if unsupported. */
export type SelectorResolver<T> = (selector: string) => ((subject: T) => string | undefined) | undefined;

export type Predicate<T> = (subject: T) => boolean;

export function compileFilter<T>(expr: FilterExpr, resolve: SelectorResolver<T>, supported: string): Predicate<T> {
  switch (expr.kind) {
    case 'and': {
      const items = expr.items.map((e) => compileFilter(e, resolve, supported));
      return (s) => items.every((p) => p(s));
    }
    case 'or': {
      const items = expr.items.map((e) => compileFilter(e, resolve, supported));
      return (s) => items.some((p) => p(s));
    }
    case 'not': {
      const item = compileFilter(expr.item, resolve, supported);
      return (s) => !item(s);
    }
    case 'cmp': {
      const read = resolve(expr.selector);
      if (!read) throw new FilterSyntaxError(`unsupported selector '${expr.selector}'; supported: ${supported}`, expr.pos);
      const test = valueTest(expr.op, expr.value);
      return (s) => test(read(s));
    }
  }
}

function valueTest(op: string, value: FilterValue): (actual: string | undefined) => boolean {
  const positive = matcher(op, value);
  return op === '!=' ? (actual) => !positive(actual) : positive;
}

/** The test for `=`, or for an ordering operator on numbers. `!=` negates the `=` test. */
function matcher(op: string, value: FilterValue): (actual: string | undefined) => boolean {
  switch (value.kind) {
    case 'string':
      return (actual) => (actual ?? '') === value.value;
    case 'bool':
      return (actual) => actual === String(value.value);
    case 'number':
      return (actual) => {
        if (actual === undefined || actual.trim() === '') return false;
        const n = Number(actual);
        if (Number.isNaN(n)) return false;
        switch (op) {
          case '<':
            return n < value.value;
          case '>':
            return n > value.value;
          case '<=':
            return n <= value.value;
          case '>=':
            return n >= value.value;
          default:
            return n === value.value;
        }
      };
    case 'call': {
      const [first = ''] = value.args;
      switch (value.name) {
        case 'starts_with':
          return (actual) => (actual ?? '').startsWith(first);
        case 'ends_with':
          return (actual) => (actual ?? '').endsWith(first);
        case 'has_substring':
          return (actual) => (actual ?? '').includes(first);
        case 'one_of':
          return (actual) => value.args.includes(actual ?? '');
        case 'monitoring.regex.full_match': {
          const fullMatch = compileFullMatch(first, 0);
          return (actual) => fullMatch(actual ?? '');
        }
      }
    }
  }
}

/**
 * The metric type a time series filter names. Google requires exactly one, as a plain equality
 * that every matching series must satisfy, so it is looked for in the top-level AND chain only.
 */
export function singleMetricType(expr: FilterExpr): string {
  const conjuncts = expr.kind === 'and' ? expr.items : [expr];
  const types = new Set<string>();
  for (const c of conjuncts) {
    if (c.kind === 'cmp' && c.selector === 'metric.type' && c.op === '=' && c.value.kind === 'string') types.add(c.value.value);
  }
  if (types.size === 1) return [...types][0]!;
  if (types.size > 1) throw new FilterSyntaxError(`the filter names more than one metric type (${[...types].join(', ')}); it must name exactly one`, 0);
  throw new FilterSyntaxError('the filter must specify a single metric type, e.g. metric.type = "custom.googleapis.com/my_metric" (joined to other conditions with AND)', 0);
}
