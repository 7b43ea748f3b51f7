import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/**
 * The benchmarks' figures as standalone SVG files, drawn with Observable Plot (the dashboard's charting library)
 * on a linkedom document, since Node has no DOM. Plot's own legends and titles are HTML, which an SVG file cannot
 * hold, so the title and the legend are drawn as small plots of their own and stacked above and below the chart.
 */
export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  /** A line's dash pattern; entries without one are drawn as a solid line, or as a dot when `dots` is set. */
  readonly dash?: string;
}

export interface Figure {
  readonly title: string;
  /** Plot options for the chart; `document`, `width` and the background are filled in here. */
  readonly chart: Plot.PlotOptions;
  readonly width: number;
  readonly legend: readonly LegendEntry[];
  /** Draw the legend's marks as dots (scatter plots) instead of short lines. */
  readonly dots?: boolean;
  readonly legendColumns?: number;
  /** A line of text under the legend. */
  readonly note?: string;
}

const SVG_NS = "http://www.w3.org/2000/svg";
const LEGEND_ROW_PX = 20;

export function renderFigure(f: Figure): string {
  const { document } = parseHTML("<a>");
  const base = { document: document as unknown as Document, width: f.width, style: { background: "white" } };
  const title = Plot.plot({
    ...base,
    height: 30,
    margin: 0,
    axis: null,
    marks: [Plot.text([f.title], { frameAnchor: "middle", fontSize: 15, fontWeight: "bold" })],
  });
  const chart = Plot.plot({ ...base, ...f.chart });
  const columns = f.legendColumns ?? 3;
  const entries = f.legend.map((e, i) => ({ ...e, column: i % columns, row: Math.floor(i / columns) }));
  const rows = Math.ceil(entries.length / columns) + (f.note ? 1 : 0);
  const legend = Plot.plot({
    ...base,
    height: rows * LEGEND_ROW_PX + 10,
    margin: 10,
    axis: null,
    x: { domain: [0, columns] },
    y: { domain: [0, rows], reverse: true },
    marks: [
      ...entries.map((e) =>
        f.dots
          ? Plot.dot([e], { x: "column", y: (d: typeof e) => d.row + 0.5, fill: e.color, r: 4 })
          : Plot.link([e], { x1: "column", x2: (d: typeof e) => d.column + 0.1, y1: (d: typeof e) => d.row + 0.5, y2: (d: typeof e) => d.row + 0.5, stroke: e.color, strokeWidth: 2.5, strokeDasharray: e.dash }),
      ),
      Plot.text(entries, { x: (d: (typeof entries)[number]) => d.column + (f.dots ? 0 : 0.1), y: (d: (typeof entries)[number]) => d.row + 0.5, text: "label", textAnchor: "start", dx: 8, fontSize: 11 }),
      ...(f.note ? [Plot.text([f.note], { x: 0, y: rows - 0.5, textAnchor: "start", fontSize: 10 })] : []),
    ],
  });
  return stack(document as unknown as Document, f.width, [title, chart, legend]);
}

/** One SVG holding the parts one under the other, with the namespace a standalone file needs. */
function stack(document: Document, width: number, parts: readonly (SVGSVGElement | HTMLElement)[]): string {
  const outer = document.createElementNS(SVG_NS, "svg");
  let y = 0;
  for (const part of parts) {
    const height = Number(part.getAttribute("height"));
    part.setAttribute("y", String(y));
    outer.appendChild(part);
    y += height;
  }
  outer.setAttribute("xmlns", SVG_NS);
  outer.setAttribute("width", String(width));
  outer.setAttribute("height", String(y));
  outer.setAttribute("viewBox", `0 0 ${width} ${y}`);
  return outer.outerHTML;
}
