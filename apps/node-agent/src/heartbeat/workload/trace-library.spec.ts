import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHIPPED_TRACES } from "../../common/config";
import { TraceLibrary } from "./trace-library";

describe("TraceLibrary", () => {
  it("the shipped sample is 50 PlanetLab VMs of one day, with its source and licence beside it", () => {
    expect(readdirSync(dirname(SHIPPED_TRACES))).toEqual(expect.arrayContaining(["README.md", "LICENSE-CloudSim.txt"]));
    const library = TraceLibrary.load(SHIPPED_TRACES, 1);
    expect(library.names()).toHaveLength(50);
    const readme = readFileSync(join(dirname(SHIPPED_TRACES), "README.md"), "utf8");
    expect(readme).toMatch(/Apache License, Version 2\.0/);
    expect(readme).toMatch(/Cloudslab\/cloudsim/);
    for (const name of library.names()) {
      expect(readFileSync(join(SHIPPED_TRACES, name), "utf8").trimEnd().split("\n")).toHaveLength(288);
    }
  });

  it.each([
    { name: "a constant spec", spec: { kind: "constant" as const, cpuFraction: 0.4, memFraction: 0.5 }, want: 0.4, missing: [] },
    { name: "a known series", spec: { kind: "trace" as const, series: "vm-a", memFraction: 0.5 }, want: 0.2, missing: [] },
    { name: "an unknown series runs the default level", spec: { kind: "trace" as const, series: "nope", memFraction: 0.5 }, want: 0.3, missing: ["nope"] },
  ])("$name", ({ spec, want, missing }) => {
    const heard: string[] = [];
    const library = new TraceLibrary(new Map([["vm-a", [0.2, 0.2]]]), 1, (s) => heard.push(s));
    expect(library.model(spec).cpuFraction(0)).toBeCloseTo(want, 12);
    library.model(spec);
    expect(heard).toEqual(missing);
  });
});
