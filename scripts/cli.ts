// Command-line parsing shared by every script: node:util parseArgs (strict) plus `--help`, a usage
// text built from the option descriptions, and usage errors as one line + usage, exit status 2.
import { parseArgs } from 'node:util';

interface OptionBase {
  description: string;
  short?: string;
}
export interface BooleanOption extends OptionBase {
  type: 'boolean';
  default?: boolean;
}
export interface StringOption extends OptionBase {
  type: 'string';
  default?: string;
  /** Shown in the usage text: `--seed <name>`. */
  valueName?: string;
  /** The only values accepted. */
  choices?: readonly string[];
}
export type CliOption = BooleanOption | StringOption;

export interface CommandSpec<O extends Record<string, CliOption>> {
  /** How users run it, e.g. `npm run local --`. */
  command: string;
  summary: string;
  options: O;
}

export type CliValues<O extends Record<string, CliOption>> = {
  [K in keyof O]: O[K] extends BooleanOption ? boolean : O[K] extends { default: string } ? string : string | undefined;
};

export type ParseOutcome<O extends Record<string, CliOption>> =
  | { kind: 'ok'; values: CliValues<O> }
  | { kind: 'help'; text: string }
  | { kind: 'error'; text: string };

export function usage<O extends Record<string, CliOption>>(spec: CommandSpec<O>): string {
  const rows = Object.entries({ ...spec.options, help: { type: 'boolean', short: 'h', description: 'show this help and exit' } as CliOption }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    const extra = [o.type === 'string' && o.choices ? `one of ${o.choices.join(', ')}` : '', o.type === 'string' && o.default !== undefined ? `default ${o.default}` : '']
      .filter(Boolean)
      .join('; ');
    return [flag, `${o.description}${extra ? ` (${extra})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return `Usage: ${spec.command} [options]\n${spec.summary}\n\nOptions:\n${rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join('\n')}\n`;
}

/** A usage error: the one line that names the problem, then the usage. */
export function usageErrorText<O extends Record<string, CliOption>>(spec: CommandSpec<O>, problem: string): string {
  return `${spec.command.replace(/ --$/, '')}: ${problem}\n\n${usage(spec)}`;
}

export function parseCommandLine<O extends Record<string, CliOption>>(spec: CommandSpec<O>, argv: readonly string[]): ParseOutcome<O> {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; default?: boolean | string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw err;
    // Node's messages carry advice for `--` that does not apply here; keep their first sentence.
    return { kind: 'error', text: usageErrorText(spec, firstSentence((err as Error).message)) };
  }
  if (values.help) return { kind: 'help', text: usage(spec) };
  for (const [name, o] of Object.entries(spec.options)) {
    const value = values[name];
    if (o.type === 'string' && o.choices && typeof value === 'string' && !o.choices.includes(value)) {
      return { kind: 'error', text: usageErrorText(spec, `--${name} must be one of ${o.choices.join(', ')}, got '${value}'`) };
    }
  }
  delete values.help;
  return { kind: 'ok', values: values as CliValues<O> };
}

function firstSentence(message: string): string {
  const cut = message.search(/\.\s|\n/);
  return cut < 0 ? message : message.slice(0, cut + 1);
}

/** Parse `process.argv`; print help (exit 0) or a usage error (exit 2) when that is the outcome. */
export function parseCommandLineOrExit<O extends Record<string, CliOption>>(spec: CommandSpec<O>, argv: readonly string[] = process.argv.slice(2)): CliValues<O> {
  const outcome = parseCommandLine(spec, argv);
  if (outcome.kind === 'ok') return outcome.values;
  if (outcome.kind === 'help') {
    process.stdout.write(outcome.text);
    process.exit(0);
  }
  exitWithUsageError(outcome.text);
}

/** For checks after parsing (a number out of range): the same one line + usage, exit 2. */
export function exitWithUsageError(text: string): never {
  process.stderr.write(text);
  process.exit(2);
}
