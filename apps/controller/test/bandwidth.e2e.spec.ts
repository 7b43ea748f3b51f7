import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/**
 * Real agents carry out each migration at the share the scheduler gave it, not at their own link. The
 * simulated clock runs instantly (FERRY_SIM_TIME_SCALE 0), so the measured totalMs is simulated time and does
 * not depend on the machine's load.
 */
describe("migrations run at their bandwidth share", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    agents = await Promise.all([
      // b1's uplink is 1 Gbit/s: a migration out of it gets at most that, whatever the agent's own 10 Gbit/s link.
      startAgent(c, "b1", { FERRY_NODE_LABELS: "pod=p1,rack=r1,host-uplink-mbps=1000" }),
      startAgent(c, "b2", { FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "b3", { FERRY_NODE_LABELS: "pod=p1,rack=r2" }),
    ]);
    nodes = await nodeIdsByName(c, 3);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  const migrate = async (name: string, from: string, to: string, extra: Record<string, unknown> = {}) => {
    const vm = await createVm(c, { name, cpu: 1, memMiB: 2048, dirtyRateMiBps: 5, nodeId: from });
    const { body } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: to, technique: "pre-copy", ...extra }).expect(202);
    return eventually(async () => {
      const m = (await c.admin().get(`/api/v1/migrations/${body.id}`).expect(200)).body;
      if (m.state === "failed" || m.state === "cancelled") throw new Error(`migration ${name} ${m.state}: ${m.error}`);
      return m.state === "completed" ? m : undefined;
    }, 30_000, `migration ${name} to complete`);
  };

  it("a migration with a small share takes proportionally longer, as predicted at that share", async () => {
    const slow = await migrate("through-slow-uplink", nodes.b1!, nodes.b2!);
    const capped = await migrate("capped", nodes.b2!, nodes.b3!, { bandwidthMbps: 4_000 });
    const full = await migrate("full-link", nodes.b3!, nodes.b2!);
    expect(slow).toMatchObject({ bandwidthShareMbps: 1_000, prediction: { atShare: { shareMbps: 1_000 } } });
    expect(capped).toMatchObject({ bandwidthMbps: 4_000, bandwidthShareMbps: 4_000, prediction: { atShare: { bottleneck: "cap" } } });
    expect(full.bandwidthShareMbps).toBe(10_000);
    for (const m of [slow, capped, full]) {
      // The agent ran the page-accurate simulator at the share; the scheduler priced it with the predictor.
      expect(m.metrics.totalMs / m.prediction.atShare.totalMs).toBeGreaterThan(0.8);
      expect(m.metrics.totalMs / m.prediction.atShare.totalMs).toBeLessThan(1.25);
    }
    // Ten times less bandwidth, close to ten times longer (a little less: the dirty pages resent shrink too).
    expect(slow.metrics.totalMs / full.metrics.totalMs).toBeGreaterThan(7);
    expect(capped.metrics.totalMs / full.metrics.totalMs).toBeGreaterThan(2);
  });
});
