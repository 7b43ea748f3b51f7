import * as Plot from "@observablehq/plot";
import { renderFigure } from "../plot/render";

/** The sweep's figures: one panel per link bandwidth, one line per technique, log axes. */
export interface SweepPoint {
  readonly variant: string;
  readonly bandwidthMbps: number;
  readonly dirtyMiBps: number;
  readonly downtimeMs: number;
  readonly totalMs: number;
}

export interface Line {
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
}

export interface SweepFigure {
  readonly title: string;
  readonly metric: "downtimeMs" | "totalMs";
  readonly yLabel: string;
  readonly lines: readonly Line[];
  readonly dirtyMiBps: readonly number[];
  readonly bandwidthMbps: readonly number[];
  /** Horizontal reference lines in every panel, e.g. the 1 s downtime of the survey's claim. */
  readonly references: readonly { readonly y: number; readonly label: string }[];
}

const COLUMNS = 2;

export function sweepFigure(points: readonly SweepPoint[], f: SweepFigure): string {
  const panel = (bw: number) => f.bandwidthMbps.indexOf(bw);
  const facet = { fx: (d: { bandwidthMbps: number }) => panel(d.bandwidthMbps) % COLUMNS, fy: (d: { bandwidthMbps: number }) => Math.floor(panel(d.bandwidthMbps) / COLUMNS) };
  const rows = Math.ceil(f.bandwidthMbps.length / COLUMNS);
  // A value of zero has no place on a log axis.
  const shown = points.filter((p) => p[f.metric] > 0 && f.bandwidthMbps.includes(p.bandwidthMbps) && f.dirtyMiBps.includes(p.dirtyMiBps));
  const values = shown.map((p) => p[f.metric]).concat(f.references.map((r) => r.y));
  const decades = range(Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values))));
  return renderFigure({
    title: f.title,
    width: 720,
    legend: f.lines,
    chart: {
      height: rows * 250 + 40,
      marginLeft: 62,
      marginTop: 24,
      fx: { axis: null, padding: 0.15 },
      fy: { axis: null, padding: 0.15 },
      x: { type: "log", domain: [f.dirtyMiBps[0], f.dirtyMiBps.at(-1)] },
      y: { type: "log", domain: [10 ** decades[0], 10 ** decades.at(-1)!], ticks: decades.map((e) => 10 ** e), grid: true, tickFormat: ms, label: f.yLabel, labelAnchor: "center", labelArrow: "none" },
      marks: [
        Plot.frame({ stroke: "#888" }),
        // A log axis's labels go through d3's log tick format, which blanks ticks with a high leading digit (800
        // here) whatever tickFormat says; labels given as a channel are drawn as they are.
        Plot.axisX(f.dirtyMiBps, { text: String, label: "dirty rate (MiB/s)", labelAnchor: "center", labelArrow: "none" }),
        Plot.text(f.bandwidthMbps.map((bw) => ({ bandwidthMbps: bw })), { ...facet, text: (d: { bandwidthMbps: number }) => `${d.bandwidthMbps / 1000} Gbit/s`, frameAnchor: "top", lineAnchor: "bottom", dy: -4, fontWeight: "bold", fontSize: 11 }),
        Plot.ruleY(f.references, { y: "y", stroke: "#c00", strokeDasharray: "2 3" }),
        Plot.text(f.references, { y: "y", text: "label", frameAnchor: "left", textAnchor: "start", dx: 4, dy: -6, fill: "#c00" }),
        ...f.lines.flatMap((line) => {
          const mine = shown.filter((p) => p.variant === line.label);
          return [
            Plot.line(mine, { ...facet, x: "dirtyMiBps", y: f.metric, stroke: line.color, strokeWidth: 2, strokeDasharray: line.dash }),
            Plot.dot(mine, { ...facet, x: "dirtyMiBps", y: f.metric, fill: line.color, r: 2.5 }),
          ];
        }),
      ],
    },
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function ms(v: number): string {
  return v >= 1000 ? `${v / 1000} s` : `${v} ms`;
}
