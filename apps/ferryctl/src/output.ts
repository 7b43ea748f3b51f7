import YAML from "yaml";

export const FORMATS = ["table", "wide", "json", "yaml"] as const;
export type Format = (typeof FORMATS)[number];

/** A column: its header, how to read it from a row, and whether only `-o wide` shows it. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  wide?: boolean;
}

const cell = (v: unknown): string => (v === null || v === undefined ? "-" : typeof v === "object" ? JSON.stringify(v) : String(v));

export function table<T>(rows: readonly T[], columns: readonly Column<T>[], wide: boolean): string {
  const shown = columns.filter((c) => wide || !c.wide);
  const cells = [shown.map((c) => c.header), ...rows.map((r) => shown.map((c) => cell(c.value(r))))];
  const widths = shown.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((v, i) => (i === line.length - 1 ? v : v.padEnd(widths[i]!))).join("   ")).join("\n") + "\n";
}

export function render<T>(rows: readonly T[], columns: readonly Column<T>[], format: Format, single = false): string {
  const value = single ? rows[0] : rows;
  if (format === "json") return JSON.stringify(value, null, 2) + "\n";
  if (format === "yaml") return YAML.stringify(value);
  return table(rows, columns, format === "wide");
}

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A text progress bar: `[#######.............]  35%`. */
export function bar(percent: number, width = 30): string {
  const p = Math.max(0, Math.min(100, percent));
  const full = Math.round((p / 100) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}] ${p.toFixed(0).padStart(3)}%`;
}
