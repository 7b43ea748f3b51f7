import { useEffect, useRef } from "preact/hooks";
import { html } from "./html.js";

// Observable Plot (loaded as the global `Plot`, with d3) draws every chart: it renders SVG, in the browser
// here and in Node for the benchmarks' figures, so both share one library.
const Plot = globalThis.Plot;

/** Mounts the SVG that `make()` returns, and replaces it whenever `deps` change. */
export function Chart({ make, deps, label }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = make();
    ref.current.replaceChildren(el);
    return () => el.remove();
  }, deps);
  return html`<div class="chart" ref=${ref} role="img" aria-label=${label}></div>`;
}

export const sparkline = (points, field) => () =>
  Plot.plot({
    width: 180,
    height: 36,
    margin: 2,
    axis: null,
    y: { domain: [0, 1] },
    marks: [
      Plot.areaY(points, { x: (p) => new Date(p.at), y: field, fill: "#4c9be8", fillOpacity: 0.25 }),
      Plot.lineY(points, { x: (p) => new Date(p.at), y: field, stroke: "#1f6fbf" }),
    ],
  });

/** VM-to-VM traffic: one cell per pair (both ways), Mbit/s as colour. */
export const trafficHeatmap = (cells, names) => () =>
  Plot.plot({
    width: Math.max(360, 60 + names.length * 34),
    height: Math.max(320, 60 + names.length * 30),
    marginLeft: 70,
    marginBottom: 60,
    x: { domain: names, tickRotate: -45, label: null },
    y: { domain: names, label: null },
    color: { type: "sqrt", scheme: "YlOrRd", legend: true, label: "Mbit/s" },
    marks: [
      Plot.cell(cells, { x: "a", y: "b", fill: "rateMbps", inset: 0.5, title: (d) => `${d.a} ↔ ${d.b}: ${d.rateMbps} Mbit/s` }),
    ],
  });

/** The six metrics of a migration beside their prediction, each as measured / predicted (1 = as predicted). */
export const metricsVsPrediction = (rows) => () =>
  Plot.plot({
    width: 420,
    height: 40 + rows.length * 26,
    marginLeft: 130,
    // At least half to twice the prediction, so that a run exactly as predicted still shows a scale.
    x: { type: "log", label: "measured / predicted", grid: true, domain: [Math.min(0.5, ...rows.map((d) => d.ratio)), Math.max(2, ...rows.map((d) => d.ratio))] },
    y: { label: null },
    marks: [
      Plot.ruleX([1], { stroke: "#888" }),
      Plot.dot(rows, { x: "ratio", y: "metric", fill: (d) => (d.ratio > 1.2 ? "#d9534f" : "#2e8b57"), r: 5 }),
      Plot.text(rows, { x: "ratio", y: "metric", text: (d) => `${d.ratio.toFixed(2)}×`, dx: 12, textAnchor: "start" }),
    ],
  });
