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

/**
 * The scheduler re-shares the links every pass, and a migration's source agent follows its share. Agents here
 * play the simulator at a tenth of real time, so that a second migration can start while the first runs.
 */
describe("a migration in flight follows its share as others start and end beside it", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    const paced = { FERRY_SIM_TIME_SCALE: "0.1" };
    agents = await Promise.all([
      startAgent(c, "s1", { ...paced, FERRY_NODE_LABELS: "pod=p1,rack=r1,host-uplink-mbps=1000" }),
      startAgent(c, "s2", { ...paced, FERRY_NODE_LABELS: "pod=p1,rack=r1" }),
      startAgent(c, "s3", { ...paced, FERRY_NODE_LABELS: "pod=p1,rack=r2" }),
    ]);
    nodes = await nodeIdsByName(c, 3);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  const start = async (name: string, memMiB: number, from: string, to: string) => {
    const vm = await createVm(c, { name, cpu: 1, memMiB, dirtyRateMiBps: 5, nodeId: from });
    const { body } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: to, technique: "pre-copy" }).expect(202);
    return body.id as string;
  };
  const get = async (id: string) => (await c.admin().get(`/api/v1/migrations/${id}`).expect(200)).body;
  const until = (id: string, what: string, ok: (m: { state: string; progress: number; bandwidthShareMbps: number | null }) => boolean) =>
    eventually(async () => {
      const m = await get(id);
      if (m.state === "failed" || m.state === "cancelled") throw new Error(`migration ${id} ${m.state}: ${m.error}`);
      return ok(m) ? m : undefined;
    }, 60_000, what);

  it("halves while a second migration shares the uplink, comes back when it ends, and the agent's rate follows", async () => {
    const first = await start("long", 8192, nodes.s1!, nodes.s2!);
    await until(first, "the first migration to run", (m) => m.state === "running" && m.progress > 0);
    const second = await start("beside", 2048, nodes.s1!, nodes.s3!);
    await until(first, "the first migration's share to halve", (m) => m.bandwidthShareMbps === 500);
    expect((await get(second)).bandwidthShareMbps).toBe(500);
    await until(second, "the second migration to complete", (m) => m.state === "completed");
    await until(first, "the first migration's share to come back", (m) => m.bandwidthShareMbps === 1000);
    const done = await until(first, "the first migration to complete", (m) => m.state === "completed");
    // Priced at the full uplink when it started; it ran part of the way at half of it, so it took longer than
    // that, and shorter than all the way at half (about twice as long).
    expect(done.prediction.atShare.shareMbps).toBe(1000);
    expect(done.metrics.totalMs).toBeGreaterThan(1.15 * done.prediction.atShare.totalMs);
    expect(done.metrics.totalMs).toBeLessThan(1.9 * done.prediction.atShare.totalMs);
  });

  it("an operator's new cap on a running migration slows it from then on; bad caps and ended migrations are refused", async () => {
    const id = await start("recapped", 2048, nodes.s1!, nodes.s3!);
    const patch = (body: object, to = id) => c.admin().patch(`/api/v1/migrations/${to}`).send(body);
    for (const [body, field] of [
      [{ bandwidthMbps: 0 }, "bandwidthMbps"],
      [{ bandwidthMbps: 2_000_000 }, "bandwidthMbps"],
      [{}, "bandwidthMbps"],
      [{ bandwidthMbps: 100, speed: "slow" }, "speed"],
    ] as const) {
      const res = await patch(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: "ValidationFailed" });
      expect(res.body.message).toContain(field);
    }
    await patch({ bandwidthMbps: 100 }, "00000000-0000-4000-8000-000000000000").expect(404);
    await until(id, "the migration to run", (m) => m.state === "running" && m.progress > 0.05);
    const changed = await patch({ bandwidthMbps: 250 }).expect(200);
    expect(changed.body).toMatchObject({ id, bandwidthMbps: 250 });
    await until(id, "its share to follow the cap", (m) => m.bandwidthShareMbps === 250);
    const done = await until(id, "the migration to complete", (m) => m.state === "completed");
    // Priced at the 1 Gbit/s uplink when it started; what was left when the cap came went at a quarter of that.
    expect(done.metrics.totalMs).toBeGreaterThan(1.3 * done.prediction.atShare.totalMs);
    const audit = await c.admin().get(`/api/v1/audit?targetType=migration&targetId=${id}`).expect(200);
    expect(audit.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: "migration.bandwidth-changed", details: { from: null, to: 250, state: "running" } })]));
    const ended = await patch({ bandwidthMbps: 500 }).expect(409);
    expect(ended.body).toMatchObject({ error: "InvalidTransition" });
  });
});
