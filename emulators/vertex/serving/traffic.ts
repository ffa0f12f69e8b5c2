// Which deployed model takes a request: a weighted draw over the endpoint's traffic split.

/** A number in [0, 1), like Math.random; injectable so tests can seed it. */
export type Random = () => number;

/**
 * Ids are drawn in sorted order so one seed always gives the same sequence. Without any
 * traffic (no split, or all zero) an endpoint with a single deployed model sends it
 * everything, as Vertex does for a model deployed with the default split.
 */
export function pickDeployedModel(split: Readonly<Record<string, number>>, deployedIds: readonly string[], random: Random): string | undefined {
  const weighted = Object.entries(split)
    .filter(([id, percent]) => percent > 0 && deployedIds.includes(id))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = weighted.reduce((sum, [, percent]) => sum + percent, 0);
  if (total <= 0) return deployedIds.length === 1 ? deployedIds[0] : undefined;
  let point = random() * total;
  for (const [id, percent] of weighted) {
    point -= percent;
    if (point < 0) return id;
  }
  return weighted[weighted.length - 1]?.[0];
}
