// The one part of jstat (which ships no types) the rollout analysis uses: the normal quantile.
declare module 'jstat' {
  const jStat: {
    readonly normal: { inv(p: number, mean: number, std: number): number };
  };
  export default jStat;
}
