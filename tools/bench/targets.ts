// Targets are reported, never asserted: shared by the harness (run.ts) and the summary of several runs (summarize.ts).

/** True when `ratio` is within `target`. */
export function meetsTarget(target: { readonly minRatio?: number; readonly maxRatio?: number }, ratio: number): boolean {
  return (target.minRatio === undefined || ratio >= target.minRatio) && (target.maxRatio === undefined || ratio <= target.maxRatio);
}

/** `>=1` / `<=1.1` */
export function targetText(target: { readonly minRatio?: number; readonly maxRatio?: number }): string {
  const show = (n: number): string => String(Number(n.toFixed(2)));
  return `${target.minRatio !== undefined ? `>=${show(target.minRatio)}` : ''}${target.maxRatio !== undefined ? `<=${show(target.maxRatio)}` : ''}`;
}
