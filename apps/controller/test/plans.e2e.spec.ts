import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/**
 * Traffic-aware re-placement end to end: pairs of chatty VMs start on nodes in different pods; a plan brings
 * them together within its budget, every move feasible in order; applying it migrates the VMs through the agents,
 * side by side where no move needs the room another frees.
 */
describe("placement plans", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;
  const vms: Record<string, string> = {};

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    agents = await Promise.all([
      startAgent(c, "p1-r1", { FERRY_NODE_LABELS: "pod=p1,rack=r1", FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384" }),
      startAgent(c, "p1-r2", { FERRY_NODE_LABELS: "pod=p1,rack=r2", FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384" }),
      startAgent(c, "p2-r3", { FERRY_NODE_LABELS: "pod=p2,rack=r3", FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384" }),
    ]);
    nodes = await nodeIdsByName(c, 3);
    for (const [name, node] of [
      ["web-1", "p1-r1"],
      ["app-1", "p2-r3"],
      ["web-2", "p1-r2"],
      ["app-2", "p2-r3"],
    ] as const) {
      vms[name] = (await createVm(c, { name, cpu: 2, memMiB: 1024, nodeId: nodes[node] })).id;
    }
    await c
      .admin()
      .post("/api/v1/traffic")
      .send({ pairs: [{ vmA: vms["web-1"], vmB: vms["app-1"], rateMbps: 900 }, { vmA: vms["web-2"], vmB: vms["app-2"], rateMbps: 600 }] })
      .expect(200);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  it("computes a plan that only shows what it would do", async () => {
    const before = await counts(c);
    const { body: plan } = await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 5, seed: 7 }).expect(201);
    // Across pods the distance is 5: 900 x 5 + 600 x 5.
    expect(plan).toMatchObject({ state: "proposed", costBefore: 7500 });
    expect(plan.costAfter).toBeLessThan(plan.costBefore);
    expect(plan.steps.length).toBeGreaterThan(0);
    expect(plan.steps.length).toBeLessThanOrEqual(5);
    expect(plan.steps[0]).toMatchObject({ state: "pending", technique: expect.any(String), prediction: { totalMs: expect.any(Number) } });
    expect(plan.expected.migrations).toBe(plan.steps.length);
    const after = await counts(c);
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    expect(after.migrations).toBe(before.migrations);
    expect((await c.admin().get(`/api/v1/placement/plans/${plan.id}`).expect(200)).body).toEqual(plan);
  });

  it("refuses to apply a plan whose nodes have changed since it was computed", async () => {
    const { body: plan } = await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 5, seed: 7 }).expect(201);
    expect(plan.steps.length).toBeGreaterThan(0);
    expect(plan.scope.nodeIds).toContain(plan.steps[0].to.id);
    const newcomer = await createVm(c, { name: "newcomer", cpu: 1, memMiB: 512, nodeId: plan.steps[0].to.id });
    const res = await c.admin().post(`/api/v1/placement/plans/${plan.id}/apply`).send({}).expect(409);
    expect(res.body.error).toBe("PlanStale");
    expect((await c.admin().get(`/api/v1/plans/${plan.id}`).expect(200)).body).toMatchObject({ state: "superseded", steps: plan.steps.map(() => expect.objectContaining({ state: "skipped" })) });
    await c.prisma.vm.delete({ where: { id: newcomer.id } });
  });

  it("a change outside the plan's VMs and nodes does not make it stale", async () => {
    // An operator's plan of one move inside pod p1; the change comes in pod p2.
    const mover = await createVm(c, { name: "mover", cpu: 1, memMiB: 512, nodeId: nodes["p1-r1"] });
    const { body: plan } = await c
      .admin()
      .post("/api/v1/plans")
      .send({ kind: "operator", moves: [{ vmId: mover.id, toNodeId: nodes["p1-r2"] }], reason: "rebalance by hand" })
      .expect(201);
    expect(plan).toMatchObject({ kind: "operator", mode: "operator", state: "proposed", expiresAt: expect.any(String), steps: [expect.objectContaining({ reason: "rebalance by hand" })] });
    expect(plan.scope.nodeIds).not.toContain(nodes["p2-r3"]);
    await createVm(c, { name: "bystander", cpu: 1, memMiB: 512, nodeId: nodes["p2-r3"] });
    await c.admin().post(`/api/v1/plans/${plan.id}/apply`).send({}).expect(202);
    const done = await eventually(async () => {
      const p = (await c.admin().get(`/api/v1/plans/${plan.id}`).expect(200)).body;
      return ["succeeded", "failed"].includes(p.state) ? p : undefined;
    }, 30_000, "the operator's plan to finish");
    expect(done).toMatchObject({ state: "succeeded", progress: { percent: 100, stepsDone: 1, stepsTotal: 1 } });
    expect((await c.admin().get(`/api/v1/vms/${mover.id}`).expect(200)).body.nodeId).toBe(nodes["p1-r2"]);
  });

  it("applies a plan, independent moves side by side, until the traffic cost has dropped", async () => {
    const { body: plan } = await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 5, seed: 7 }).expect(201);
    expect(plan.steps.length).toBeGreaterThan(0);
    await c.admin().post(`/api/v1/placement/plans/${plan.id}/apply`).send({}).expect(202);
    const done = await eventually(async () => {
      const res = await c.admin().get(`/api/v1/placement/plans/${plan.id}`).expect(200);
      return ["succeeded", "failed"].includes(res.body.state) ? res.body : undefined;
    }, 30_000, "the plan to finish");
    expect(done.error ?? "").toBe("");
    expect(done.state).toBe("succeeded");
    expect(done.steps.every((s: { state: string }) => s.state === "succeeded")).toBe(true);
    for (const step of done.steps) {
      const m = (await c.admin().get(`/api/v1/migrations/${step.migrationId}`).expect(200)).body;
      expect(m).toMatchObject({ state: "completed", reason: expect.stringContaining(`plan ${plan.id}`) });
    }
    const vmsNow = (await c.admin().get("/api/v1/vms").expect(200)).body.items as { id: string; nodeId: string }[];
    const where = Object.fromEntries(vmsNow.map((v) => [v.id, v.nodeId]));
    for (const step of done.steps) expect(where[step.vm.id]).toBe(step.to.id);
    const again = (await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 5, seed: 7 }).expect(201)).body;
    expect(again.costBefore).toBe(plan.costAfter);
    await c.admin().post(`/api/v1/placement/plans/${plan.id}/apply`).send({}).expect(409);
  });

  it("a cancelled plan cannot be applied", async () => {
    // A chatty pair of its own, split across pods, so that the plan has a step to skip whatever ran before.
    const db = (await createVm(c, { name: "db-1", cpu: 1, memMiB: 512, nodeId: nodes["p1-r1"] })).id;
    const cache = (await createVm(c, { name: "cache-1", cpu: 1, memMiB: 512, nodeId: nodes["p2-r3"] })).id;
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: db, vmB: cache, rateMbps: 800 }] }).expect(200);
    const { body: plan } = await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 1 }).expect(201);
    expect(plan.params.seed).toEqual(expect.any(Number));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ state: "pending" });
    const cancelled = await c.admin().post(`/api/v1/placement/plans/${plan.id}/cancel`).expect(202);
    expect(cancelled.body).toMatchObject({ state: "cancelled" });
    expect(cancelled.body.steps.map((s: { state: string }) => s.state)).toEqual(["skipped"]);
    await c.admin().post(`/api/v1/placement/plans/${plan.id}/apply`).send({}).expect(409);
    const audit = await c.admin().get(`/api/v1/audit?targetType=plan&targetId=${plan.id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(["plan.cancelled", "plan.computed"]);
  });

  it.each([
    { name: "maxMigrations 0", body: { maxMigrations: 0 }, field: "maxMigrations" },
    { name: "a negative weight", body: { weights: { traffic: -1 } }, field: "weights.traffic" },
    { name: "an unknown weight", body: { weights: { luck: 1 } }, field: "weights" },
  ])("refuses a plan request with $name", async ({ body, field }) => {
    const res = await c.admin().post("/api/v1/placement/plans").send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it("an unknown plan is a 404", async () => {
    await c.admin().get("/api/v1/placement/plans/00000000-0000-4000-8000-000000000000").expect(404);
    await c.admin().post("/api/v1/placement/plans/00000000-0000-4000-8000-000000000000/apply").send({}).expect(404);
  });
});
