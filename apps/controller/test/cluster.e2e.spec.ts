import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/** The whole slice: a controller and two node agents, PostgreSQL, BullMQ on Redis, HTTP between them. */
describe("a controller and two agents", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 200 });
    agents = [
      await startAgent(c, "agent-1", { FERRY_NODE_LABELS: "pod=a,rack=r1" }),
      await startAgent(c, "agent-2", { FERRY_NODE_LABELS: "pod=a,rack=r2" }),
    ];
    nodes = await nodeIdsByName(c, 2, { beating: true });
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  it("registers both agents with their labels and capacity", async () => {
    const res = await c.admin().get(`/api/v1/nodes/${nodes["agent-1"]}`).expect(200);
    expect(res.body).toMatchObject({ name: "agent-1", state: "active", labels: { pod: "a", rack: "r1" }, capacity: { cpu: 16, memMiB: 65536 } });
  });

  it("migrates a VM: completed with the six metrics, the VM on its new node, and audited", async () => {
    const vm = await createVm(c, { name: "db-1", cpu: 2, memMiB: 2048, dirtyRateMiBps: 50, nodeId: nodes["agent-1"] });
    const { body: m } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: nodes["agent-2"] }).expect(202);
    const done = await eventually(async () => {
      const res = await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200);
      return res.body.state === "completed" ? res.body : undefined;
    }, 15_000, "the migration to complete");
    expect(done.metrics).toEqual({
      preparationMs: expect.any(Number),
      downtimeMs: expect.any(Number),
      resumeMs: expect.any(Number),
      pagesTransferred: expect.any(Number),
      totalMs: expect.any(Number),
      degradation: expect.any(Number),
    });
    expect(done.metrics.pagesTransferred).toBeGreaterThanOrEqual((2048 * 1024) / 4);
    expect(done.metrics.downtimeMs).toBeLessThan(done.metrics.totalMs);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: nodes["agent-2"], state: "running" });
    const audit = await c.admin().get(`/api/v1/audit?targetType=migration&targetId=${m.id}`).expect(200);
    expect(audit.body.items.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`)).toEqual([
      "migration.completed by agent:agent-1",
      "migration.started by agent:agent-1",
      "migration.requested by admin",
    ]);
    const phases: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { phase: string }[]; nextCursor: string | null } } = await c
        .admin()
        .get(`/api/v1/migrations/${m.id}/events?limit=1${cursor ? `&cursor=${cursor}` : ""}`)
        .expect(200);
      phases.push(...page.body.items.map((e) => e.phase));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(phases).toContain("switchover");
  });

  it("reports an SLA breach when the migration goes over the VM's SLA", async () => {
    const vm = await createVm(c, { name: "strict", cpu: 1, memMiB: 1024, nodeId: nodes["agent-2"], sla: { maxDowntimeMs: 1 } });
    const refused = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: nodes["agent-1"], technique: "non-live" }).expect(409);
    expect(refused.body).toMatchObject({ error: "SlaUnattainable", message: expect.stringContaining("acceptSlaBreach") });
    const { body: m } = await c
      .admin()
      .post("/api/v1/migrations")
      .send({ vmId: vm.id, targetNodeId: nodes["agent-1"], technique: "non-live", acceptSlaBreach: true })
      .expect(202);
    expect(m.prediction.slaWarning).toMatch(/break/);
    const breaches = await eventually(async () => {
      const res = await c.admin().get(`/api/v1/migrations/${m.id}/sla-breaches`).expect(200);
      return res.body.items.length ? res.body.items : undefined;
    }, 15_000, "the SLA breach report");
    expect(breaches[0]).toMatchObject({ kind: "downtime", limitMs: 1, reportedBy: "agent:agent-2" });
  });
});

describe("an agent stopping in the middle of a migration", () => {
  let c: TestController;
  beforeAll(async () => (c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 200 })));
  afterAll(() => c.close());

  it("aborts it before the switchover: the migration fails and the VM stays on its source", async () => {
    // Real time at 100 Mbit/s: a 4 GiB VM would take minutes, so the stop lands mid-transfer.
    const slow = { FERRY_SIM_TIME_SCALE: "1", FERRY_SIM_BANDWIDTH_MBPS: "100" };
    const source = await startAgent(c, "source", slow);
    const target = await startAgent(c, "target", slow);
    try {
      const ids = await nodeIdsByName(c, 2, { timeoutMs: 10_000 });
      const vm = await createVm(c, { name: "big", cpu: 2, memMiB: 4096, nodeId: ids.source });
      const { body: m } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: ids.target }).expect(202);
      await eventually(async () => {
        const res = await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200);
        return res.body.state === "running" ? true : undefined;
      }, 10_000, "the migration to start");
      await source.close();
      const ended = (await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body;
      expect(ended).toMatchObject({ state: "failed", error: expect.stringContaining("shutting down") });
      expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: ids.source, state: "running" });
    } finally {
      await target.close();
    }
  });
});
