import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/** Drains with real agents: every VM leaves, the node ends in maintenance; what cannot leave says why. */
// Generous waits: four migrations one at a time take seconds on a quiet machine, far longer on a loaded one.
describe("draining a node", { timeout: 120_000 }, () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    const small = { FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384" };
    agents = await Promise.all([
      startAgent(c, "d1", { ...small, FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "d2", { ...small, FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "d3", { ...small, FERRY_NODE_LABELS: "pod=p1,rack=r2" }),
    ]);
    nodes = await nodeIdsByName(c, 3);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  const plan = (id: string) => c.admin().get(`/api/v1/plans/${id}`).expect(200).then((r) => r.body);
  const finished = (id: string) =>
    eventually(async () => {
      const p = await plan(id);
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 100_000, `plan ${id} to finish`);

  it("moves every VM off within the scheduler's limits and leaves the node in maintenance", async () => {
    await c.admin().patch("/api/v1/scheduler").send({ limits: { outboundPerNode: 1 } }).expect(200);
    const vms = await Promise.all([1, 2, 3, 4].map((i) => createVm(c, { name: `drain-me-${i}`, cpu: 2, memMiB: 2048, nodeId: nodes.d1 })));
    const res = await c.admin().post(`/api/v1/nodes/${nodes.d1}/drain`).expect(202);
    expect(res.body).toMatchObject({ kind: "drain", mode: "auto", priority: 90, blocked: [] });
    expect(res.body.steps).toHaveLength(4);
    expect(res.body.steps.every((s: { from: { id: string }; to: { id: string } }) => s.from.id === nodes.d1 && s.to.id !== nodes.d1)).toBe(true);
    expect((await c.admin().get(`/api/v1/nodes/${nodes.d1}`).expect(200)).body.state).not.toBe("active");
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ state: "succeeded", error: null });
    // From the database's own timestamps: at no instant were two of the drain's migrations in flight.
    const ms = await c.prisma.migration.findMany({ where: { id: { in: done.steps.map((s: { migrationId: string }) => s.migrationId) } } });
    expect(ms.every((m) => m.moveClass === "drain" && m.queuedAt && m.finishedAt)).toBe(true);
    const edges = ms.flatMap((m) => [[m.queuedAt!.getTime(), 1], [m.finishedAt!.getTime(), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let most = 0;
    for (const [, d] of edges) most = Math.max(most, (inFlight += d));
    expect(most).toBe(1);
    await c.admin().patch("/api/v1/scheduler").send({ limits: { outboundPerNode: 2 } }).expect(200);
    const node = (await c.admin().get(`/api/v1/nodes/${nodes.d1}`).expect(200)).body;
    expect(node.state).toBe("maintenance");
    for (const vm of vms) expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).not.toBe(nodes.d1);
    // Draining it again is refused: it is in maintenance, not active.
    await c.admin().post(`/api/v1/nodes/${nodes.d1}/drain`).expect(409);
    await c.admin().post(`/api/v1/nodes/${nodes.d1}/maintenance/off`).expect(200);
  });

  it("a VM that fits nowhere blocks the drain with its reason, and the node stays draining", async () => {
    const stuck = await createVm(c, { name: "stuck", cpu: 1, memMiB: 1024, nodeId: nodes.d3 });
    await c.admin().post(`/api/v1/nodes/${nodes.d1}/cordon`).expect(200);
    await c.admin().post(`/api/v1/nodes/${nodes.d2}/cordon`).expect(200);
    const res = await c.admin().post(`/api/v1/nodes/${nodes.d3}/drain`).expect(202);
    expect(res.body.steps).toEqual([]);
    expect(res.body.blocked).toEqual(expect.arrayContaining([{ vm: { id: stuck.id, name: "stuck" }, reason: expect.stringMatching(/no node takes it/) }]));
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ state: "failed", error: expect.stringMatching(/could not be placed/) });
    expect((await c.admin().get(`/api/v1/nodes/${nodes.d3}`).expect(200)).body).toMatchObject({ state: "draining", stateReason: expect.stringMatching(/VM\(s\) still on the node/) });
    expect((await c.admin().get(`/api/v1/vms/${stuck.id}`).expect(200)).body).toMatchObject({ nodeId: nodes.d3, state: "running" });
    await c.admin().post(`/api/v1/nodes/${nodes.d1}/uncordon`).expect(200);
  });

  it("cancelling a drain's plan gives the node back its earlier state", async () => {
    // An agent that plays its migrations in real time (an 8 GiB VM takes seconds to leave), so that the drain is
    // still under way when it is cancelled, however slowly this test's requests go.
    agents.push(await startAgent(c, "d4", { FERRY_SIM_TIME_SCALE: "1", FERRY_NODE_LABELS: "pod=p1,rack=r2" }));
    const d4 = (await nodeIdsByName(c, 4)).d4!;
    await createVm(c, { name: "slow-to-leave", cpu: 1, memMiB: 8192, nodeId: d4 });
    await c.admin().post(`/api/v1/nodes/${d4}/cordon`).expect(200);
    const res = await c.admin().post(`/api/v1/nodes/${d4}/drain`).expect(202);
    expect(res.body.steps).toHaveLength(1);
    // Asking again while it runs answers with the same drain.
    const again = await c.admin().post(`/api/v1/nodes/${d4}/drain`).expect(202);
    expect(again.body.id).toBe(res.body.id);
    await c.admin().post(`/api/v1/plans/${res.body.id}/cancel`).expect(202);
    expect((await plan(res.body.id)).state).toBe("cancelled");
    expect((await c.admin().get(`/api/v1/nodes/${d4}`).expect(200)).body.state).toBe("cordoned");
  });
});
