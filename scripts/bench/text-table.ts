// A plain-text table for a benchmark's summary on stdout: columns padded to their widest cell,
// numbers right-aligned, a rule under the header.

export type Cell = string | number;

export function textTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === '' || r[i] === undefined));
  const line = (cells: readonly Cell[]) =>
    header
      .map((_, i) => {
        const text = String(cells[i] ?? '');
        return numeric[i] ? text.padStart(width[i]!) : text.padEnd(width[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(header), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
