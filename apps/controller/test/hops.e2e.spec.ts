import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/**
 * Two full hosts swap their VMs, with real agents. Neither half can start (each waits for the other's room), so
 * the scheduler sends one VM through a third node first; both halves then land, and no host ever holds more
 * than its capacity.
 */
describe("a capacity cycle is broken with a hop", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100, policyTickMs: 3_600_000 });
    const full = { FERRY_NODE_CPU: "4", FERRY_NODE_MEM_MIB: "4096" };
    agents = await Promise.all([
      startAgent(c, "x1", { ...full, FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "x2", { ...full, FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "x3", { FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "8192", FERRY_NODE_LABELS: "pod=p1,rack=r2" }),
    ]);
    nodes = await nodeIdsByName(c, 3);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  it("swaps the VMs of two full hosts through the third, never over capacity, and the plan succeeds", async () => {
    const a = await createVm(c, { name: "swap-a", cpu: 4, memMiB: 4096, nodeId: nodes.x1 });
    const b = await createVm(c, { name: "swap-b", cpu: 4, memMiB: 4096, nodeId: nodes.x2 });
    // Asked one at a time, neither half is admitted: the other host is full.
    await c.admin().post("/api/v1/migrations").send({ vmId: a.id, targetNodeId: nodes.x2 }).expect(409);
    const proposed = await c
      .admin()
      .post("/api/v1/plans")
      .send({ kind: "operator", reason: "swap", moves: [{ vmId: a.id, toNodeId: nodes.x2, bandwidthMbps: 5_000 }, { vmId: b.id, toNodeId: nodes.x1 }] })
      .expect(201);
    expect(proposed.body.steps.map((s: { dependsOn: number[] }) => s.dependsOn)).toEqual([[], []]);
    expect(proposed.body.steps.map((s: { bandwidthMbps: number | null }) => s.bandwidthMbps)).toEqual([5_000, null]);
    await c.admin().post(`/api/v1/plans/${proposed.body.id}/apply`).send({}).expect(202);
    const done = await eventually(async () => {
      const p = (await c.admin().get(`/api/v1/plans/${proposed.body.id}`).expect(200)).body;
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 60_000, "the swap plan to finish");
    expect(done).toMatchObject({ state: "succeeded", error: null });
    expect((await c.admin().get(`/api/v1/vms/${a.id}`).expect(200)).body).toMatchObject({ nodeId: nodes.x2, state: "running" });
    expect((await c.admin().get(`/api/v1/vms/${b.id}`).expect(200)).body).toMatchObject({ nodeId: nodes.x1, state: "running" });

    // One VM went through x3 first: a leg of its own, tied to the migration the plan step follows.
    const all = await c.prisma.migration.findMany({ where: { vmId: { in: [a.id, b.id] }, state: "completed" } });
    const legs = all.filter((m) => m.hopForId !== null);
    expect(legs).toHaveLength(1);
    const leg = legs[0]!;
    expect(leg.targetNodeId).toBe(nodes.x3);
    const served = all.find((m) => m.id === leg.hopForId)!;
    expect(served).toMatchObject({ sourceNodeId: nodes.x3, state: "completed" });
    expect(done.steps.map((s: { migrationId: string }) => s.migrationId)).toContain(served.id);
    expect((await c.admin().get(`/api/v1/migrations/${leg.id}`).expect(200)).body).toMatchObject({ hopFor: served.id });
    // The cap on a's move holds for each of its migrations, the leg included.
    for (const m of all.filter((x) => x.vmId === a.id)) expect(m).toMatchObject({ bandwidthCapMbps: 5_000, bandwidthShareMbps: 5_000 });

    // From the database's own timestamps: replay every switchover in order; no host ever held more than it has,
    // counting what each started migration reserved on its target until it ended.
    const capacity: Record<string, number> = { [nodes.x1!]: 4096, [nodes.x2!]: 4096, [nodes.x3!]: 8192 };
    const resident: Record<string, number> = { [nodes.x1!]: 4096, [nodes.x2!]: 4096, [nodes.x3!]: 0 };
    const reserved: Record<string, number> = { [nodes.x1!]: 0, [nodes.x2!]: 0, [nodes.x3!]: 0 };
    const events = all
      .flatMap((m) => [
        { at: m.queuedAt!.getTime(), order: 1, apply: () => (reserved[m.targetNodeId]! += m.memMiB) },
        {
          at: m.finishedAt!.getTime(),
          order: 0,
          apply: () => {
            reserved[m.targetNodeId]! -= m.memMiB;
            resident[m.targetNodeId]! += m.memMiB;
            resident[m.sourceNodeId]! -= m.memMiB;
          },
        },
      ])
      .sort((x, y) => x.at - y.at || x.order - y.order);
    for (const e of events) {
      e.apply();
      for (const n of Object.keys(capacity)) expect(resident[n]! + reserved[n]!).toBeLessThanOrEqual(capacity[n]!);
    }
    expect(resident).toEqual({ [nodes.x1!]: 4096, [nodes.x2!]: 4096, [nodes.x3!]: 0 });
  }, 120_000);
});
