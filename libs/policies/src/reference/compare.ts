import type { SimulationMetrics } from "../simulator/metrics";
import { CLOUDSIM_TOLERANCE, type CloudSimReferenceRow } from "./cloudsim-3-0-3";

/** One of our runs, as much of it as the comparison needs. */
export interface ComparedRun extends Pick<SimulationMetrics, "energyKWh" | "migrations" | "slatahPct" | "pdmPct" | "slav" | "esv"> {
  readonly day: string;
  readonly policy: string;
}

export const COMPARED_METRICS = ["energyKWh", "migrations", "slatahPct", "pdmPct", "slav", "esv"] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface MetricComparison {
  readonly ours: number;
  /** Absent where CloudSim's table gives no figure (DVFS and NPA: only energy and migrations). */
  readonly cloudsim?: number;
  /** (ours - cloudsim) / cloudsim; 0 when both are 0, absent without a CloudSim figure. */
  readonly relative?: number;
}

export interface ReferenceComparison {
  readonly day: string;
  readonly policy: string;
  readonly metrics: Readonly<Record<ComparedMetric, MetricComparison>>;
  /** Metrics with a tolerance (energy, migrations, SLAV) that are outside it. */
  readonly outside: readonly ComparedMetric[];
}

function relative(ours: number, cloudsim: number): number {
  if (cloudsim === 0) return ours === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (ours - cloudsim) / cloudsim;
}

/**
 * Sets each reference row beside our run of the same day and policy, with relative differences, and
 * lists the metrics outside issue 12's tolerances. A row without a run of ours is an error: the
 * comparison must be complete.
 */
export function compareWithCloudSim(
  reference: readonly CloudSimReferenceRow[],
  runs: readonly ComparedRun[],
): ReferenceComparison[] {
  return reference.map((row) => {
    const run = runs.find((r) => r.day === row.day && r.policy === row.policy);
    if (!run) throw new Error(`no run of ${row.policy} on ${row.day} to compare with CloudSim`);
    const metrics = {} as Record<ComparedMetric, MetricComparison>;
    for (const m of COMPARED_METRICS) {
      const cloudsim = row[m];
      metrics[m] = cloudsim === undefined ? { ours: run[m] } : { ours: run[m], cloudsim, relative: relative(run[m], cloudsim) };
    }
    const outside = (Object.keys(CLOUDSIM_TOLERANCE) as (keyof typeof CLOUDSIM_TOLERANCE)[]).filter((m) => {
      const r = metrics[m].relative;
      return r !== undefined && !(Math.abs(r) <= CLOUDSIM_TOLERANCE[m]);
    });
    return { day: row.day, policy: row.policy, metrics, outside };
  });
}

const pct = (r: number | undefined): string =>
  r === undefined ? "" : Number.isFinite(r) ? `${r >= 0 ? "+" : ""}${(r * 100).toFixed(1)} %` : "n/a";

const FORMAT: Readonly<Record<ComparedMetric, (x: number) => string>> = {
  energyKWh: (x) => x.toFixed(2),
  migrations: (x) => Math.round(x).toString(),
  slatahPct: (x) => x.toFixed(2),
  pdmPct: (x) => x.toFixed(3),
  slav: (x) => (x === 0 ? "0" : x.toExponential(2)),
  esv: (x) => (x === 0 ? "0" : x.toExponential(2)),
};

/** A markdown table: per row and metric, ours / CloudSim (relative difference). */
export function comparisonTable(rows: readonly ReferenceComparison[]): string {
  const head =
    "| day | policy | energy kWh | migrations | SLATAH % | PDM % | SLAV | ESV | outside tolerance |";
  const rule = "|---|---|---:|---:|---:|---:|---:|---:|---|";
  const cell = (c: MetricComparison, m: ComparedMetric): string =>
    c.cloudsim === undefined
      ? FORMAT[m](c.ours)
      : `${FORMAT[m](c.ours)} / ${FORMAT[m](c.cloudsim)} (${pct(c.relative)})`;
  const lines = rows.map(
    (r) =>
      `| ${r.day} | ${r.policy} | ${COMPARED_METRICS.map((m) => cell(r.metrics[m], m)).join(" | ")} | ${r.outside.length === 0 ? "none" : r.outside.join(", ")} |`,
  );
  return [head, rule, ...lines].join("\n");
}
