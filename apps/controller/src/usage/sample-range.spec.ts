import { describe, expect, it } from "vitest";
import { samplesQuerySchema } from "./dto/samples-query.dto";
import { MAX_BUCKETS, resolveRange } from "./sample-range";

const now = Date.parse("2026-12-01T15:00:00Z");

describe("resolveRange", () => {
  it.each([
    { name: "all defaults: the last hour by minutes", query: {}, want: { fromMs: now - 3_600_000, toMs: now, stepS: 60, buckets: 60 } },
    {
      name: "an explicit range and step",
      query: { from: "2026-12-01T14:00:00Z", to: "2026-12-01T14:10:00Z", step: 120 },
      want: { fromMs: now - 3_600_000, toMs: now - 3_000_000, stepS: 120, buckets: 5 },
    },
    // 25 minutes in 10-minute steps: the last bucket is partial.
    {
      name: "a range that is not a whole number of steps",
      query: { from: "2026-12-01T14:00:00Z", to: "2026-12-01T14:25:00Z", step: 600 },
      want: { fromMs: now - 3_600_000, toMs: now - 2_100_000, stepS: 600, buckets: 3 },
    },
    { name: "only from: up to now", query: { from: "2026-12-01T14:30:00+00:00" }, want: { fromMs: now - 1_800_000, toMs: now, stepS: 60, buckets: 30 } },
    // 11,000 one-second buckets is exactly the cap.
    { name: "exactly the cap", query: { from: "2026-12-01T11:56:40Z", step: 1 }, want: { fromMs: now - 11_000_000, toMs: now, stepS: 1, buckets: MAX_BUCKETS } },
  ])("$name", ({ query, want }) => {
    expect(resolveRange(query, now)).toEqual({ ok: true, range: want });
  });

  it.each([
    { name: "from after to", query: { from: "2026-12-01T14:10:00Z", to: "2026-12-01T14:00:00Z" }, field: "from", reason: /must be before to/ },
    { name: "from equal to to", query: { from: "2026-12-01T14:00:00Z", to: "2026-12-01T14:00:00Z" }, field: "from", reason: /must be before to/ },
    { name: "a from in the future, without to", query: { from: "2026-12-01T16:00:00Z" }, field: "from", reason: /must be before to/ },
    { name: "one bucket over the cap", query: { from: "2026-12-01T11:56:39Z", step: 1 }, field: "step", reason: /11001 buckets of 1 s.*at most 11000/ },
    { name: "a year by minutes", query: { from: "2025-12-01T15:00:00Z" }, field: "step", reason: /525600 buckets/ },
  ])("refuses $name, naming the field", ({ query, field, reason }) => {
    const r = resolveRange(query, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });
});

describe("samplesQuerySchema", () => {
  it.each([
    { step: "90", want: 90 },
    { step: "30s", want: 30 },
    { step: "5m", want: 300 },
    { step: "2h", want: 7200 },
    { step: "1d", want: 86_400 },
  ])("reads step $step as $want s", ({ step, want }) => {
    expect(samplesQuerySchema.parse({ step }).step).toBe(want);
  });

  it.each([
    { name: "a step of 0", query: { step: "0" }, field: "step" },
    { name: "a negative step", query: { step: "-5" }, field: "step" },
    { name: "a fractional step", query: { step: "1.5" }, field: "step" },
    { name: "an unknown unit", query: { step: "5w" }, field: "step" },
    { name: "a time without a zone", query: { from: "2026-12-01T14:00:00" }, field: "from" },
    { name: "not a time", query: { to: "yesterday" }, field: "to" },
    { name: "an unknown parameter", query: { since: "2026-12-01T14:00:00Z" }, field: "" },
  ])("refuses $name", ({ query, field }) => {
    const r = samplesQuerySchema.safeParse(query);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join(".")).toBe(field);
  });
});
