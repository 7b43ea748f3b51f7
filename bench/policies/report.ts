import * as Plot from "@observablehq/plot";
import type { DayRun } from "@ferry/policies";
import { renderFigure } from "../plot/render";

export interface Summary {
  readonly policy: string;
  readonly days: number;
  readonly mean: Record<Metric, number>;
  readonly sd: Record<Metric, number>;
}

export const METRICS = ["energyKWh", "migrations", "slatahPct", "pdmPct", "slav", "esv", "activeHostsMean", "wallMs"] as const;
export type Metric = (typeof METRICS)[number];

export function summarize(runs: readonly DayRun[], policyOrder: readonly string[]): Summary[] {
  return policyOrder
    .map((policy) => {
      const mine = runs.filter((r) => r.policy === policy);
      const mean = {} as Record<Metric, number>;
      const sd = {} as Record<Metric, number>;
      for (const m of METRICS) {
        const xs = mine.map((r) => r[m]);
        const mu = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        mean[m] = mu;
        sd[m] = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mu) ** 2, 0) / (xs.length - 1)) : 0;
      }
      return { policy, days: mine.length, mean, sd };
    })
    .filter((s) => s.days > 0);
}

const fmt = (x: number, digits: number): string => x.toFixed(digits);
const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(2));

export function summaryTable(summaries: readonly Summary[]): string {
  const head = "| policy | energy kWh | migrations | SLATAH % | PDM % | SLAV (x1e-5) | ESV (x1e-3) | active hosts | ms / day |";
  const rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|";
  const rows = summaries.map((s) => {
    const pm = (m: Metric, d: number, scale = 1) => `${fmt(s.mean[m] * scale, d)} ± ${fmt(s.sd[m] * scale, d)}`;
    return `| ${s.policy} | ${pm("energyKWh", 1)} | ${pm("migrations", 0)} | ${pm("slatahPct", 2)} | ${pm("pdmPct", 3)} | ${pm("slav", 3, 1e5)} | ${pm("esv", 3, 1e3)} | ${pm("activeHostsMean", 1)} | ${pm("wallMs", 0)} |`;
  });
  return [head, rule, ...rows].join("\n");
}

/** Per day: the best published heuristic by ESV and by migrations, against each Ferry policy. */
export function ferryVersusHeuristics(runs: readonly DayRun[], heuristics: readonly string[], ferries: readonly string[]): string {
  const days = [...new Set(runs.map((r) => r.day))].sort();
  const head = `| day | best heuristic (ESV) | its ESV | its migrations | fewest migrations (heuristic) | ${ferries.map((f) => `${f} ESV | ${f} migrations`).join(" | ")} |`;
  const rule = `|---|---|---:|---:|---:|${ferries.map(() => "---:|---:").join("|")}|`;
  const wins = new Map(ferries.map((f) => [f, { esv: 0, migrations: 0, both: 0 }]));
  const rows = days.map((day) => {
    const h = runs.filter((r) => r.day === day && heuristics.includes(r.policy));
    const best = h.reduce((a, b) => (b.esv < a.esv ? b : a));
    const fewest = h.reduce((a, b) => (b.migrations < a.migrations ? b : a));
    const cells = ferries.map((f) => {
      const run = runs.find((r) => r.day === day && r.policy === f);
      if (!run) return "- | -";
      const w = wins.get(f)!;
      const esvWin = h.every((x) => run.esv < x.esv);
      const migWin = run.migrations <= best.migrations;
      if (esvWin) w.esv++;
      if (migWin) w.migrations++;
      if (esvWin && migWin) w.both++;
      return `${sci(run.esv)} | ${run.migrations}`;
    });
    return `| ${day} | ${best.policy} | ${sci(best.esv)} | ${best.migrations} | ${fewest.migrations} (${fewest.policy}) | ${cells.join(" | ")} |`;
  });
  const verdict = ferries
    .map((f) => {
      const w = wins.get(f)!;
      return `- **${f}**: ESV below every published heuristic on ${w.esv}/${days.length} days; no more migrations than the best-ESV heuristic on ${w.migrations}/${days.length}; both on ${w.both}/${days.length}.`;
    })
    .join("\n");
  return [head, rule, ...rows].join("\n") + "\n\n" + verdict;
}

const FAMILIES = [
  { label: "Ferry", color: "#d62728" },
  { label: "LR / LRR", color: "#1f77b4", prefix: "lr" },
  { label: "MAD", color: "#2ca02c", prefix: "mad" },
  { label: "IQR", color: "#9467bd", prefix: "iqr" },
  { label: "THR", color: "#7f7f7f", prefix: "thr" },
];

/** Energy against SLAV (log scale), one point per policy at its mean over the days, with day spread as bars. */
export function energyVersusSlavSvg(summaries: readonly Summary[], ferries: readonly string[]): string {
  const colour = (policy: string) =>
    ferries.includes(policy) ? FAMILIES[0]!.color : (FAMILIES.find((f) => f.prefix && policy.startsWith(f.prefix)) ?? FAMILIES[3]!).color;
  const points = summaries
    .filter((s) => s.mean.slav > 0)
    .map((s) => ({ policy: s.policy, slav: s.mean.slav, energy: s.mean.energyKWh, sd: s.sd.energyKWh, color: colour(s.policy), ferry: ferries.includes(s.policy) }));
  return renderFigure({
    title: "Energy vs SLAV, mean over PlanetLab days (bars: ±1 sd of energy)",
    width: 760,
    legend: FAMILIES,
    dots: true,
    legendColumns: 5,
    note: "DVFS and NPA never migrate (SLAV 0): in the table, not on this axis.",
    chart: {
      height: 420,
      marginLeft: 60,
      marginRight: 90,
      marginBottom: 44,
      x: { type: "log", nice: true, grid: true, tickFormat: (x: number) => x.toExponential(0), label: "SLAV = SLATAH x PDM (log scale, lower is better)", labelAnchor: "center", labelArrow: "none" },
      r: { type: "identity" },
      y: { grid: true, nice: true, label: "energy, kWh per day", labelAnchor: "center", labelArrow: "none" },
      marks: [
        Plot.ruleX(points, { x: "slav", y1: (p: (typeof points)[number]) => p.energy - p.sd, y2: (p: (typeof points)[number]) => p.energy + p.sd, stroke: "color", strokeOpacity: 0.4 }),
        Plot.dot(points, { x: "slav", y: "energy", fill: "color", r: (p: (typeof points)[number]) => (p.ferry ? 5 : 3.5) }),
        Plot.text(points, { x: "slav", y: "energy", text: "policy", fill: "color", textAnchor: "start", dx: 6, dy: -6 }),
      ],
    },
  });
}
