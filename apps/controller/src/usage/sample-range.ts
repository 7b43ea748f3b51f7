import type { FieldProblem } from "../common/errors";

/** Prometheus' limit on the points of one series in a range query. */
export const MAX_BUCKETS = 11_000;
export const DEFAULT_RANGE_S = 3_600;
export const DEFAULT_STEP_S = 60;

export interface SampleRange {
  fromMs: number;
  toMs: number;
  stepS: number;
  buckets: number;
}

export type RangeResult = { ok: true; range: SampleRange } | { ok: false; problems: FieldProblem[] };

/**
 * The half-open range [from, to) cut into buckets of `step` from `from` on. `to` defaults to now, `from` to an
 * hour before `to`, `step` to a minute. A range must run forwards and hold at most MAX_BUCKETS buckets.
 */
export function resolveRange(query: { from?: string; to?: string; step?: number }, nowMs: number): RangeResult {
  const toMs = query.to !== undefined ? Date.parse(query.to) : nowMs;
  const fromMs = query.from !== undefined ? Date.parse(query.from) : toMs - DEFAULT_RANGE_S * 1000;
  const stepS = query.step ?? DEFAULT_STEP_S;
  if (fromMs >= toMs) {
    // Only an explicit from can reach a to: the default one is an hour before it.
    return { ok: false, problems: [{ field: "from", reason: `from (${new Date(fromMs).toISOString()}) must be before to (${new Date(toMs).toISOString()})` }] };
  }
  const buckets = Math.ceil((toMs - fromMs) / (stepS * 1000));
  if (buckets > MAX_BUCKETS) {
    return {
      ok: false,
      problems: [{ field: "step", reason: `${buckets} buckets of ${stepS} s between from and to; at most ${MAX_BUCKETS}: take a larger step or a shorter range` }],
    };
  }
  return { ok: true, range: { fromMs, toMs, stepS, buckets } };
}
