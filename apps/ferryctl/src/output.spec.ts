import { describe, expect, it } from "vitest";
import { age, bar, duration, render, type Column } from "./output";

const columns: Column<{ name: string; cpu: number; note?: string }>[] = [
  { header: "NAME", value: (r) => r.name },
  { header: "CPU", value: (r) => r.cpu },
  { header: "NOTE", value: (r) => r.note, wide: true },
];
const rows = [{ name: "node-a", cpu: 8 }, { name: "b", cpu: 16, note: "x" }];

describe("render", () => {
  it.each([
    ["table", "NAME     CPU\nnode-a   8\nb        16\n"],
    ["wide", "NAME     CPU   NOTE\nnode-a   8     -\nb        16    x\n"],
    ["json", JSON.stringify(rows, null, 2) + "\n"],
    ["yaml", "- name: node-a\n  cpu: 8\n- name: b\n  cpu: 16\n  note: x\n"],
  ] as const)("%s", (format, text) => {
    expect(render(rows, columns, format)).toBe(text);
  });
});

describe("formatting", () => {
  it.each([
    [null, "-"],
    [250, "250ms"],
    [1500, "1.5s"],
    [185_000, "3m5s"],
  ])("duration(%s) = %s", (ms, text) => expect(duration(ms)).toBe(text));

  it.each([
    [0, "[..........]   0%"],
    [50, "[#####.....]  50%"],
    [120, "[##########] 100%"],
  ])("bar(%s)", (p, text) => expect(bar(p, 10)).toBe(text));

  it.each([
    ["2026-12-01T00:00:00Z", Date.parse("2026-12-01T00:00:30Z"), "30s"],
    ["2026-12-01T00:00:00Z", Date.parse("2026-12-01T01:00:00Z"), "60m"],
    ["2026-12-01T00:00:00Z", Date.parse("2026-12-03T00:00:00Z"), "2d"],
  ])("age(%s)", (iso, now, text) => expect(age(iso, now)).toBe(text));
});
