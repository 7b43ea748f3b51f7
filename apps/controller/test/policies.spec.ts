import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

describe("policies API", () => {
  let c: TestController;
  beforeAll(async () => (c = await startController({ policyTickMs: 3_600_000 })));
  afterAll(() => c.close());

  it("lists every live policy with its mode, interval and parameters", async () => {
    const { body } = await c.admin().get("/api/v1/policies").expect(200);
    expect(body.items.map((p: { name: string }) => p.name)).toEqual(["evacuate", "sla-network", "starvation", "balance", "consolidate", "traffic"]);
    expect(body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "balance", mode: "auto", intervalS: 300, params: expect.objectContaining({ strategy: "ferry", holdS: 1800 }) }),
        expect.objectContaining({ name: "traffic", mode: "approve", params: expect.objectContaining({ minGainPct: 5 }) }),
      ]),
    );
  });

  it("changes a policy's mode and parameters, and audits who did", async () => {
    const { body } = await c.admin().patch("/api/v1/policies/balance").send({ mode: "dry-run", intervalS: 60, params: { strategy: "lr-mmt", safety: 1.2 } }).expect(200);
    expect(body).toMatchObject({ mode: "dry-run", intervalS: 60, params: { strategy: "lr-mmt", safety: 1.2, holdS: 1800 } });
    const audit = await c.admin().get("/api/v1/audit?targetType=policy&targetId=balance").expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: "policy.updated", details: { before: { mode: "auto" }, after: { mode: "dry-run" } } });
  });

  it.each([
    { name: "an unknown mode", body: { mode: "sometimes" }, field: "mode" },
    { name: "a too short interval", body: { intervalS: 1 }, field: "intervalS" },
    { name: "an unknown strategy", body: { params: { strategy: "coin-flip" } }, field: "params.strategy" },
    { name: "an unknown parameter", body: { params: { luck: 7 } }, field: "params" },
    { name: "a negative hold time", body: { params: { holdS: -1 } }, field: "params.holdS" },
    { name: "nothing to change", body: {}, field: "(body)" },
  ])("refuses $name with 400 and writes nothing", async ({ body, field }) => {
    const before = await counts(c);
    const res = await c.admin().patch("/api/v1/policies/consolidate").send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await counts(c)).toEqual(before);
    expect((await c.admin().get("/api/v1/policies/consolidate").expect(200)).body).toMatchObject({ mode: "auto", intervalS: 600 });
  });

  it("an unknown policy is a 404", async () => {
    await c.admin().get("/api/v1/policies/chaos").expect(404);
    await c.admin().patch("/api/v1/policies/chaos").send({ mode: "off" }).expect(404);
  });

  it("a run in approve mode stores the plan as proposed, with its reason, and proposes nothing more while it waits", async () => {
    const a = await registerNode(c, "pa", { cpu: 8, memMiB: 16_384 }, { pod: "p1", rack: "r1" });
    const b = await registerNode(c, "pb", { cpu: 8, memMiB: 16_384 }, { pod: "p2", rack: "r2" });
    const x = await createVm(c, { name: "x", cpu: 2, memMiB: 1024, nodeId: a });
    const y = await createVm(c, { name: "y", cpu: 2, memMiB: 1024, nodeId: b });
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: x.id, vmB: y.id, rateMbps: 800 }] }).expect(200);
    const run = await c.admin().post("/api/v1/policies/traffic/run").expect(200);
    expect(run.body).toMatchObject({ outcome: "plan", moves: 1, state: "proposed" });
    const plan = (await c.admin().get(`/api/v1/plans/${run.body.planId}`).expect(200)).body;
    expect(plan).toMatchObject({ kind: "traffic", policy: "traffic", mode: "approve", state: "proposed", reason: { metric: "traffic-cost", threshold: 5 } });
    expect((await c.admin().get("/api/v1/plans?policy=traffic").expect(200)).body.items.map((p: { id: string }) => p.id)).toEqual([plan.id]);
    const again = await c.admin().post("/api/v1/policies/traffic/run").expect(200);
    expect(again.body).toMatchObject({ outcome: "waiting", planId: plan.id });
    expect((await c.admin().get("/api/v1/policies/traffic").expect(200)).body.lastRun).toMatchObject({ outcome: "waiting" });
    await c.admin().post(`/api/v1/plans/${plan.id}/cancel`).expect(202);
  });

  it("a plan that nobody applies expires", async () => {
    const { body: plan } = await c.admin().post("/api/v1/policies/traffic/run").expect(200);
    expect(plan.outcome).toBe("plan");
    await c.prisma.plan.update({ where: { id: plan.planId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await c.admin().post(`/api/v1/plans/${plan.planId}/apply`).send({}).expect(409);
    const expired = await (async () => {
      for (let i = 0; i < 100; i++) {
        const p = (await c.admin().get(`/api/v1/plans/${plan.planId}`).expect(200)).body;
        if (p.state === "expired") return p;
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    })();
    expect(expired).toMatchObject({ state: "expired", error: "not applied before it expired" });
  });
});
