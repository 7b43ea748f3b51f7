import { describe, expect, it } from "vitest";
import { FerryError } from "../common/errors";
import { MigratingVm, admitTechnique, effectiveSla } from "./technique-choice";

const link = { bandwidthMbps: 10_000, rttMs: 0.5 };
const vm = (over: Partial<MigratingVm> = {}): MigratingVm => ({
  name: "vm",
  memMiB: 4096,
  dirtyRateMiBps: 50,
  slaMaxDowntimeMs: null,
  slaMaxTotalMs: null,
  allowPostCopy: false,
  ...over,
});

function refusal(run: () => unknown): FerryError {
  try {
    run();
  } catch (e) {
    if (e instanceof FerryError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("effectiveSla", () => {
  it("falls back to QEMU's downtime limit and KubeVirt's 150 s per GiB", () => {
    expect(effectiveSla(vm())).toEqual({ maxDowntimeMs: 300, maxTotalMs: 600_000, allowPostCopy: false });
    expect(effectiveSla(vm({ slaMaxDowntimeMs: 50, slaMaxTotalMs: 9_000 }))).toMatchObject({ maxDowntimeMs: 50, maxTotalMs: 9_000 });
  });
});

describe("admitTechnique", () => {
  it("chooses a live technique that meets the SLA, and says why", () => {
    const admitted = admitTechnique(vm(), link, { acceptSlaBreach: false });
    expect(admitted.technique.name).toBe("pre-copy");
    expect(admitted.prediction.downtimeMs).toBeLessThanOrEqual(300);
    expect(admitted.reason).toMatch(/meet/);
    expect(admitted.slaWarning).toBeUndefined();
  });

  it("never chooses post-copy for a VM that has not opted in", () => {
    // Writes faster than the link: pre-copy needs auto-converge's throttling for tens of seconds (over the
    // 10 s budget); post-copy moves the 4 GiB once, in about 3.5 s.
    const busy = vm({ dirtyRateMiBps: 5_000, slaMaxDowntimeMs: 300, slaMaxTotalMs: 10_000 });
    const e = refusal(() => admitTechnique(busy, link, { acceptSlaBreach: false }));
    expect(e.code).toBe("SlaUnattainable");
    const candidates = (e.details as { candidates: { technique: string }[] }).candidates;
    expect(candidates.some((c) => c.technique.startsWith("post-copy"))).toBe(false);
    expect(admitTechnique({ ...busy, allowPostCopy: true }, link, { acceptSlaBreach: false }).technique.name).toMatch(/post-copy|hybrid/);
  });

  it.each([
    { allowPostCopy: false, postCopyRecovery: true, allowed: true },
    { allowPostCopy: true, postCopyRecovery: false, allowed: true },
    { allowPostCopy: false, postCopyRecovery: false, allowed: false },
  ])("post-copy with allowPostCopy $allowPostCopy and the reverse stream $postCopyRecovery: allowed $allowed", ({ allowPostCopy, postCopyRecovery, allowed }) => {
    const busy = vm({ dirtyRateMiBps: 5_000, slaMaxDowntimeMs: 300, slaMaxTotalMs: 10_000, allowPostCopy, postCopyRecovery });
    const admit = () => admitTechnique(busy, link, { acceptSlaBreach: false, technique: "post-copy" });
    if (allowed) expect(admit().technique.name).toBe("post-copy");
    else expect(refusal(admit).message).toMatch(/no reverse stream/);
  });

  it("refuses an unattainable SLA with every candidate's prediction, unless the breach is accepted", () => {
    // 4 GiB cannot cross 10 Gbit/s in 100 ms, whatever the technique.
    const strict = vm({ slaMaxTotalMs: 100 });
    const e = refusal(() => admitTechnique(strict, link, { acceptSlaBreach: false }));
    expect(e.code).toBe("SlaUnattainable");
    expect((e.details as { candidates: unknown[] }).candidates.length).toBeGreaterThan(3);
    const admitted = admitTechnique(strict, link, { acceptSlaBreach: true });
    expect(admitted.slaWarning).toMatch(/no technique meets the SLA/);
  });

  it.each([
    { name: "post-copy on a VM that does not allow it", request: { technique: "post-copy" as const }, code: "VmNotMigratable" },
    { name: "an option the technique does not take", request: { technique: "post-copy" as const, techniqueOptions: { delta: true } }, code: "ValidationFailed", over: { allowPostCopy: true } },
    { name: "a technique predicted to break the SLA", request: { technique: "non-live" as const }, code: "SlaUnattainable", over: { slaMaxDowntimeMs: 300 } },
  ])("refuses $name", ({ request, code, over }) => {
    expect(refusal(() => admitTechnique(vm(over), link, { acceptSlaBreach: false, ...request })).code).toBe(code);
  });

  it("takes a requested technique with its options, and a breach the operator accepts", () => {
    const admitted = admitTechnique(vm(), link, { technique: "pre-copy", techniqueOptions: { delta: true, autoConverge: true }, acceptSlaBreach: false });
    expect(admitted.label).toBe("pre-copy+delta+auto-converge");
    const forced = admitTechnique(vm({ slaMaxDowntimeMs: 300 }), link, { technique: "non-live", acceptSlaBreach: true });
    expect(forced.slaWarning).toMatch(/break/);
  });
});

describe("admitTechnique on input the migration library cannot take", () => {
  // The API never stores such a VM; these reach the predictor and the chooser only through a bug or an old row.
  it.each([
    { name: "a requested technique for a VM of 0 MiB (predict)", vm: vm({ memMiB: 0 }), request: { technique: "pre-copy" as const, acceptSlaBreach: false } },
    { name: "a chosen technique for a VM of 0 MiB (predict)", vm: vm({ memMiB: 0 }), request: { acceptSlaBreach: false } },
    { name: "a zero downtime SLA (chooser)", vm: vm({ slaMaxDowntimeMs: 0 }), request: { acceptSlaBreach: false } },
  ])("$name is a ValidationFailed domain error, not a crash", ({ vm: v, request }) => {
    const e = refusal(() => admitTechnique(v, link, request));
    expect(e.code).toBe("ValidationFailed");
  });
});
