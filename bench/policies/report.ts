import type { DayRun } from "@ferry/policies";

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

/** Energy against SLAV (log scale), one point per policy at its mean over the days, with day spread as bars. */
export function energyVersusSlavSvg(summaries: readonly Summary[], ferries: readonly string[]): string {
  const points = summaries.filter((s) => s.mean.slav > 0);
  const W = 760;
  const H = 480;
  const left = 70;
  const right = 170;
  const top = 30;
  const bottom = 60;
  const xs = points.map((p) => Math.log10(p.mean.slav));
  const ys = points.map((p) => p.mean.energyKWh);
  const xMin = Math.floor(Math.min(...xs) - 0.1);
  const xMax = Math.ceil(Math.max(...xs) + 0.1);
  const yMin = Math.floor((Math.min(...ys) * 0.9) / 10) * 10;
  const yMax = Math.ceil((Math.max(...ys) * 1.05) / 10) * 10;
  const px = (lx: number) => left + ((lx - xMin) / (xMax - xMin)) * (W - left - right);
  const py = (e: number) => H - bottom - ((e - yMin) / (yMax - yMin)) * (H - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">Energy vs SLAV, mean over PlanetLab days (bars: ±1 sd of energy)</text>`,
  ];
  for (let e = xMin; e <= xMax; e++) {
    parts.push(`<line x1="${px(e)}" y1="${top}" x2="${px(e)}" y2="${H - bottom}" stroke="#eee"/>`);
    parts.push(`<text x="${px(e)}" y="${H - bottom + 16}" text-anchor="middle">1e${e}</text>`);
  }
  const step = Math.max(10, Math.round((yMax - yMin) / 6 / 10) * 10);
  for (let e = yMin; e <= yMax; e += step) {
    parts.push(`<line x1="${left}" y1="${py(e)}" x2="${W - right}" y2="${py(e)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${py(e) + 4}" text-anchor="end">${e}</text>`);
  }
  parts.push(`<text x="${(left + W - right) / 2}" y="${H - 18}" text-anchor="middle">SLAV = SLATAH x PDM (log scale, lower is better)</text>`);
  parts.push(`<text transform="translate(18 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">energy, kWh per day</text>`);
  const colour = (policy: string) =>
    ferries.includes(policy) ? "#d62728" : policy.startsWith("lr") ? "#1f77b4" : policy.startsWith("thr") ? "#7f7f7f" : policy.startsWith("mad") ? "#2ca02c" : "#9467bd";
  points.forEach((p, i) => {
    const x = px(xs[i]!);
    const y = py(ys[i]!);
    const c = colour(p.policy);
    parts.push(`<line x1="${x}" y1="${py(p.mean.energyKWh - p.sd.energyKWh)}" x2="${x}" y2="${py(p.mean.energyKWh + p.sd.energyKWh)}" stroke="${c}" stroke-opacity="0.4"/>`);
    parts.push(`<circle cx="${x}" cy="${y}" r="${ferries.includes(p.policy) ? 5 : 3.5}" fill="${c}"/>`);
    parts.push(`<text x="${x + 6}" y="${y - 4}" fill="${c}">${p.policy}</text>`);
  });
  const legend = [
    ["Ferry", "#d62728"],
    ["LR / LRR", "#1f77b4"],
    ["MAD", "#2ca02c"],
    ["IQR", "#9467bd"],
    ["THR", "#7f7f7f"],
  ];
  legend.forEach(([label, c], i) => {
    parts.push(`<circle cx="${W - right + 20}" cy="${top + 10 + i * 16}" r="4" fill="${c}"/>`);
    parts.push(`<text x="${W - right + 30}" y="${top + 14 + i * 16}">${label}</text>`);
  });
  parts.push(`<text x="${W - right + 14}" y="${top + 110}" font-size="10">DVFS and NPA never</text>`);
  parts.push(`<text x="${W - right + 14}" y="${top + 123}" font-size="10">migrate (SLAV 0): in the</text>`);
  parts.push(`<text x="${W - right + 14}" y="${top + 136}" font-size="10">table, not on this axis.</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}
