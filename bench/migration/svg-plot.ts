/**
 * Hand-written SVG line plots with log axes, laid out as small multiples sharing one legend. Enough for the
 * benchmark's downtime and total-time figures; no dependency.
 */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dash?: string;
  /** One value per x; null leaves a gap. */
  readonly ys: readonly (number | null)[];
}

export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
  /** Horizontal reference lines, e.g. the 1 s downtime of the survey's claim. */
  readonly references?: readonly { readonly y: number; readonly label: string }[];
}

export interface Figure {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xs: readonly number[];
  readonly panels: readonly Panel[];
  readonly columns: number;
}

const PANEL_W = 360;
const PANEL_H = 250;
const MARGIN = { left: 62, right: 14, top: 28, bottom: 40 };

export function renderFigure(f: Figure): string {
  const rows = Math.ceil(f.panels.length / f.columns);
  const legendH = 22 * Math.ceil(f.panels[0].series.length / 3) + 10;
  const width = f.columns * PANEL_W;
  const height = 40 + rows * PANEL_H + legendH;
  const all = f.panels.flatMap((p) => [...p.series.flatMap((s) => s.ys), ...(p.references ?? []).map((r) => r.y)]);
  const positive = all.filter((y): y is number => y !== null && y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(f.title)}</text>`,
  ];
  f.panels.forEach((panel, i) => {
    const ox = (i % f.columns) * PANEL_W;
    const oy = 36 + Math.floor(i / f.columns) * PANEL_H;
    parts.push(renderPanel(f, panel, ox, oy, yMin, yMax));
  });
  const ly = 40 + rows * PANEL_H;
  f.panels[0].series.forEach((s, i) => {
    const x = 20 + (i % 3) * (width / 3);
    const y = ly + 8 + Math.floor(i / 3) * 22;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 26}" y2="${y}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      `<text x="${x + 32}" y="${y + 4}">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function renderPanel(f: Figure, panel: Panel, ox: number, oy: number, yMin: number, yMax: number): string {
  const x0 = ox + MARGIN.left;
  const x1 = ox + PANEL_W - MARGIN.right;
  const y0 = oy + PANEL_H - MARGIN.bottom;
  const y1 = oy + MARGIN.top;
  const lx = (x: number) => x0 + ((Math.log10(x) - Math.log10(f.xs[0])) / (Math.log10(f.xs.at(-1)!) - Math.log10(f.xs[0]))) * (x1 - x0);
  const ly = (y: number) => y0 - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (y0 - y1);
  const out: string[] = [
    `<text x="${(x0 + x1) / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`,
    `<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#888"/>`,
  ];
  for (let e = Math.log10(yMin); e <= Math.log10(yMax); e++) {
    const y = ly(10 ** e);
    out.push(
      `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e4e4e4"/>`,
      `<text x="${x0 - 5}" y="${y + 4}" text-anchor="end">${tick(10 ** e)}</text>`,
    );
  }
  for (const x of f.xs) {
    out.push(
      `<line x1="${lx(x)}" y1="${y0}" x2="${lx(x)}" y2="${y0 + 4}" stroke="#888"/>`,
      `<text x="${lx(x)}" y="${y0 + 16}" text-anchor="middle">${x}</text>`,
    );
  }
  out.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 32}" text-anchor="middle">${esc(f.xLabel)}</text>`);
  out.push(`<text transform="translate(${ox + 14} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(f.yLabel)}</text>`);
  for (const r of panel.references ?? []) {
    out.push(
      `<line x1="${x0}" y1="${ly(r.y)}" x2="${x1}" y2="${ly(r.y)}" stroke="#c00" stroke-dasharray="2 3"/>`,
      `<text x="${x0 + 4}" y="${ly(r.y) - 4}" fill="#c00">${esc(r.label)}</text>`,
    );
  }
  for (const s of panel.series) {
    const pts = s.ys
      .map((y, i) => (y !== null && y > 0 ? `${lx(f.xs[i]).toFixed(1)},${ly(y).toFixed(1)}` : null))
      .filter((p): p is string => p !== null);
    if (pts.length === 0) continue;
    out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(",");
      out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
    }
  }
  return out.join("\n");
}

function tick(v: number): string {
  if (v >= 1000) return `${v / 1000} s`;
  if (v >= 1) return `${v} ms`;
  return `${v} ms`;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
