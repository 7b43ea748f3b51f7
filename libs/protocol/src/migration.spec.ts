import { describe, expect, it } from "vitest";
import { claimResponseSchema, migrationMetricsSchema, nodeQueueName } from "./migration";
import { registerNodeSchema } from "./node";

describe("protocol", () => {
  it("names one queue per node", () => {
    expect(nodeQueueName("abc")).toBe("migrations-abc");
  });

  it.each([
    { name: "negative downtime", metrics: { preparationMs: 0, downtimeMs: -1, resumeMs: 0, pagesTransferred: 1, totalMs: 1, degradation: 0 } },
    { name: "degradation above 1", metrics: { preparationMs: 0, downtimeMs: 1, resumeMs: 0, pagesTransferred: 1, totalMs: 1, degradation: 2 } },
    { name: "fractional pages", metrics: { preparationMs: 0, downtimeMs: 1, resumeMs: 0, pagesTransferred: 1.5, totalMs: 1, degradation: 0 } },
  ])("metrics with $name are refused", ({ metrics }) => {
    expect(migrationMetricsSchema.safeParse(metrics).success).toBe(false);
  });

  it("a claim answer is either go-ahead with facts or a reason", () => {
    expect(claimResponseSchema.safeParse({ proceed: false, reason: "cancelled" }).success).toBe(true);
    expect(claimResponseSchema.safeParse({ proceed: true }).success).toBe(false);
  });

  it.each([
    { name: "upper-case name", body: { name: "Node1" } },
    { name: "a label key with spaces", body: { name: "n1", labels: { "my rack": "r1" } } },
  ])("registration refuses $name", ({ body }) => {
    const full = { capacity: { cpu: 1, memMiB: 1 }, power: { idleWatts: 1, peakWatts: 2 }, ...body };
    expect(registerNodeSchema.safeParse(full).success).toBe(false);
  });
});
