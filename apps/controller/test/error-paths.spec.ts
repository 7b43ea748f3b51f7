import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

const power = { idleWatts: 100, peakWatts: 300 };

/** Paths that used to answer 500: each now answers with a status from the error table, and leaves no half-done state. */
describe("no 500s", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 3_600_000 });
  });
  afterAll(() => c?.close());

  it("agents registering the same name at once all get the one node", async () => {
    const body = { name: "twin", capacity: { cpu: 8, memMiB: 16_384 }, power };
    const answers = await Promise.all(Array.from({ length: 8 }, () => c.agent().post("/api/v1/agents/register").send(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.body.nodeId)).size).toBe(1);
    expect(await c.prisma.node.count({ where: { name: "twin" } })).toBe(1);
  });

  it.each([
    { name: "a requested technique", request: { technique: "pre-copy" } },
    { name: "a technique the controller chooses", request: {} },
  ])("a migration whose prediction the library refuses is a 400 with $name, and nothing is written", async ({ name, request }) => {
    const suffix = name.split(" ").at(-1);
    const src = await registerNode(c, `predict-src-${suffix}`);
    const dst = await registerNode(c, `predict-dst-${suffix}`);
    const vm = await createVm(c, { name: `predict-${suffix}`, cpu: 1, memMiB: 512, nodeId: src });
    // A row the API would never write (the library takes no VM without memory): the predictor must not crash on it.
    await c.prisma.vm.update({ where: { id: vm.id }, data: { memMiB: 0 } });
    const before = await counts(c);
    const res = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: dst, ...request }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: "ValidationFailed" });
    expect(await counts(c)).toEqual(before);
  });

  it("applying a plan whose first step cannot start fails the plan with the reason and answers 409", async () => {
    const a = await registerNode(c, "plan-a", { cpu: 8, memMiB: 16_384 }, { pod: "p1", rack: "r1" });
    const b = await registerNode(c, "plan-b", { cpu: 8, memMiB: 16_384 }, { pod: "p2", rack: "r2" });
    const x = await createVm(c, { name: "plan-x", cpu: 1, memMiB: 1024, nodeId: a });
    const y = await createVm(c, { name: "plan-y", cpu: 1, memMiB: 1024, nodeId: b });
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: x.id, vmB: y.id, rateMbps: 800 }] }).expect(200);
    const { body: plan } = await c.admin().post("/api/v1/placement/plans").send({ maxMigrations: 1, seed: 3 }).expect(201);
    expect(plan.steps).toHaveLength(1);
    const moving = plan.steps[0].vm.id as string;
    // An SLA tightened after the plan was computed: no technique can meet 1 ms in all (the plan's VMs and nodes,
    // what staleness looks at, are unchanged).
    await c.prisma.vm.update({ where: { id: moving }, data: { slaMaxTotalMs: 1 } });

    const res = await c.admin().post(`/api/v1/placement/plans/${plan.id}/apply`).send({}).expect(409);
    expect(res.body).toMatchObject({ error: "PlanFailed", details: { planId: plan.id } });
    const after = (await c.admin().get(`/api/v1/placement/plans/${plan.id}`).expect(200)).body;
    expect(after.state).toBe("failed");
    expect(after.error).toMatch(/step 1: could not start/);
    expect(after.steps[0]).toMatchObject({ state: "failed", migrationId: null });
    const vm = (await c.admin().get(`/api/v1/vms/${moving}`).expect(200)).body;
    expect(vm).toMatchObject({ nodeId: plan.steps[0].from.id, state: "running" });
  });
});

describe("no 500s from the placement library", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 3_600_000 });
  });
  afterAll(() => c?.close());

  it("a plan over a VM row the placement library refuses is a 400, and no plan is stored", async () => {
    const a = await registerNode(c, "place-a");
    await registerNode(c, "place-b");
    const vm = await createVm(c, { name: "negative", cpu: 1, memMiB: 1024, nodeId: a });
    // A row the API would never write: the placement library refuses it as a malformed problem.
    await c.prisma.vm.update({ where: { id: vm.id }, data: { memMiB: -5 } });
    const res = await c.admin().post("/api/v1/placement/plans").send({ seed: 1 }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: "ValidationFailed", message: expect.stringMatching(/memMiB/) });
    expect(await c.prisma.plan.count()).toBe(0);
  });
});
