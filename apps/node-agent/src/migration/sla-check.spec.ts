import { describe, expect, it } from "vitest";
import { slaBreaches } from "./sla-check";

const metrics = { preparationMs: 5, downtimeMs: 250, resumeMs: 10, pagesTransferred: 1000, totalMs: 4000, degradation: 0.01 };

describe("slaBreaches", () => {
  it.each([
    { name: "no SLA", sla: { maxDowntimeMs: null, maxTotalMs: null }, want: [] },
    { name: "within both limits", sla: { maxDowntimeMs: 300, maxTotalMs: 5000 }, want: [] },
    { name: "exactly at the limit is no breach", sla: { maxDowntimeMs: 250, maxTotalMs: 4000 }, want: [] },
    {
      name: "downtime over",
      sla: { maxDowntimeMs: 200, maxTotalMs: null },
      want: [{ kind: "downtime", limitMs: 200, actualMs: 250 }],
    },
    {
      name: "both over",
      sla: { maxDowntimeMs: 100, maxTotalMs: 1000 },
      want: [
        { kind: "downtime", limitMs: 100, actualMs: 250 },
        { kind: "total-time", limitMs: 1000, actualMs: 4000 },
      ],
    },
  ])("$name", ({ sla, want }) => {
    expect(slaBreaches(metrics, sla)).toEqual(want);
  });
});
