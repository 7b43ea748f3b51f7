import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { renderFigure } from "./render";

describe("renderFigure", () => {
  const points = [
    { x: 1, y: 10 },
    { x: 10, y: 100 },
    { x: 100, y: 1000 },
  ];
  const svg = renderFigure({
    title: "Tiny figure",
    width: 400,
    legend: [{ label: "series A", color: "#1f77b4", dash: "5 2" }],
    note: "a note",
    chart: { height: 200, x: { type: "log" }, y: { type: "log" }, marks: [Plot.line(points, { x: "x", y: "y", stroke: "#1f77b4" }), Plot.dot(points, { x: "x", y: "y", fill: "#1f77b4" })] },
  });
  const { document } = parseHTML(svg);
  const root = document.querySelector("svg")!;

  it("is one standalone SVG of the given width holding the title, the chart and the legend", () => {
    expect(root.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(root.getAttribute("width")).toBe("400");
    expect(root.children.length).toBe(3);
    const heights = Array.from(root.children).map((c) => Number(c.getAttribute("height")));
    expect(Number(root.getAttribute("height"))).toBe(heights.reduce((a, b) => a + b, 0));
    expect(heights[1]).toBe(200);
  });

  it("draws the chart's marks", () => {
    const chart = root.children[1]!;
    expect(chart.querySelectorAll('g[aria-label="line"] path')).toHaveLength(1);
    expect(chart.querySelectorAll('g[aria-label="dot"] circle')).toHaveLength(3);
  });

  it("writes the title, the legend's entries and the note", () => {
    const texts = Array.from(root.querySelectorAll("text")).map((t) => t.textContent);
    expect(texts).toEqual(expect.arrayContaining(["Tiny figure", "series A", "a note"]));
    expect(root.children[2]!.querySelector('g[aria-label="link"]')!.getAttribute("stroke-dasharray")).toBe("5 2");
  });
});
