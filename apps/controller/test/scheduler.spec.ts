import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, eventually, registerNode, startController } from "./support/harness";

/**
 * The controller decides when each migration starts. No agent runs here, so a started (queued) migration stays
 * in flight and every limit can be counted exactly.
 */
describe("migration scheduler", () => {
  let c: TestController;
  let n: string[];
  beforeAll(async () => {
    c = await startController({ reconcileIntervalMs: 100, heartbeatTimeoutMs: 3_600_000, policyTickMs: 3_600_000 });
    n = [];
    for (const name of ["s1", "s2", "s3", "s4", "s5", "s6"]) n.push(await registerNode(c, name, { cpu: 32, memMiB: 65_536 }, { rack: "r1", pod: "p1" }));
  });
  afterAll(() => c.close());

  const migrate = async (name: string, from: string, to: string) => {
    const vm = await createVm(c, { name, cpu: 1, memMiB: 1024, nodeId: from });
    return (await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: to }).expect(202)).body as { id: string; state: string };
  };
  const cancelAll = async () => {
    for (const m of await c.prisma.migration.findMany({ where: { state: { in: ["requested", "queued"] } } })) {
      await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
    }
  };

  it("shows KubeVirt's limits by default", async () => {
    const { body } = await c.admin().get("/api/v1/scheduler").expect(200);
    expect(body).toMatchObject({ limits: { perCluster: 5, outboundPerNode: 2, inboundPerNode: 2 }, inFlight: [], waiting: [] });
  });

  it.each([
    { name: "outbound per node", limits: { outboundPerNode: 1 }, moves: [["s1", "s2"], ["s1", "s3"], ["s1", "s4"]], started: 1, reason: /outbound-limit/ },
    { name: "inbound per node", limits: { inboundPerNode: 1 }, moves: [["s1", "s4"], ["s2", "s4"], ["s3", "s4"]], started: 1, reason: /inbound-limit/ },
    { name: "per cluster", limits: { perCluster: 2 }, moves: [["s1", "s2"], ["s3", "s4"], ["s5", "s6"]], started: 2, reason: /cluster-limit/ },
  ])("never has more in flight than the $name limit; the rest wait with the reason", async ({ limits, moves, started, reason }) => {
    await c.admin().patch("/api/v1/scheduler").send({ limits: { perCluster: 5, outboundPerNode: 2, inboundPerNode: 2, ...limits } }).expect(200);
    const ids = n.reduce<Record<string, string>>((acc, id, i) => ({ ...acc, [`s${i + 1}`]: id }), {});
    const made = [];
    for (const [i, [from, to]] of moves.entries()) made.push(await migrate(`${Object.keys(limits)[0]!.toLowerCase()}-${i}`, ids[from!]!, ids[to!]!));
    expect(made.filter((m) => m.state === "queued")).toHaveLength(started);
    const { body } = await c.admin().get("/api/v1/scheduler").expect(200);
    expect(body.inFlight).toHaveLength(started);
    expect(body.inFlight[0]).toMatchObject({ moveClass: "operator", shareMbps: expect.any(Number) });
    expect(body.waiting).toHaveLength(moves.length - started);
    for (const w of body.waiting) expect(w.reason).toMatch(reason);
    const first = (await c.admin().get(`/api/v1/migrations/${made[0]!.id}`).expect(200)).body;
    expect(first.prediction.atShare).toMatchObject({ shareMbps: expect.any(Number), totalMs: expect.any(Number) });
    // A cancelled migration frees its slot: the next one starts.
    await c.admin().post(`/api/v1/migrations/${made[0]!.id}/cancel`).expect(202);
    await c.admin().patch("/api/v1/scheduler").send({ limits }).expect(200);
    expect((await c.admin().get(`/api/v1/migrations/${made[started]!.id}`).expect(200)).body.state).toBe("queued");
    await cancelAll();
  });

  it.each([
    { name: "a zero limit", body: { limits: { perCluster: 0 } }, field: "limits.perCluster" },
    { name: "an unknown limit", body: { limits: { perRack: 3 } }, field: "limits" },
    { name: "a negative link", body: { links: { podUplinkMbps: -10 } }, field: "links.podUplinkMbps" },
    { name: "nothing", body: {}, field: "(body)" },
  ])("refuses $name with 400 and writes nothing", async ({ body, field }) => {
    const before = await counts(c);
    const res = await c.admin().patch("/api/v1/scheduler").send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await counts(c)).toEqual(before);
  });

  it("a migration's own bandwidth cap bounds its share, and the bandwidth left goes to the other", async () => {
    await c.admin().patch("/api/v1/scheduler").send({ limits: { perCluster: 5, outboundPerNode: 2, inboundPerNode: 2 }, links: { hostUplinkMbps: 10_000 } }).expect(200);
    const request = async (name: string, to: string, extra: Record<string, unknown> = {}) => {
      const vm = await createVm(c, { name, cpu: 1, memMiB: 1024, nodeId: n[0] });
      return (await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: to, ...extra }).expect(202)).body;
    };
    const capped = await request("capped", n[1]!, { bandwidthMbps: 2_000 });
    const free = await request("uncapped", n[2]!);
    const [a, b] = await Promise.all([capped, free].map(async (m) => (await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body));
    expect(a).toMatchObject({ state: "queued", bandwidthMbps: 2_000, bandwidthShareMbps: 2_000, prediction: { atShare: { shareMbps: 2_000, bottleneck: "cap" } } });
    expect(b).toMatchObject({ state: "queued", bandwidthMbps: null, bandwidthShareMbps: 8_000 });
    // Priced at the cap from the start: the admission's prediction already takes 2 Gbit/s, not the 10 Gbit/s link.
    expect(a.prediction.totalMs).toBeCloseTo(a.prediction.atShare.totalMs, -1);
    expect(a.prediction.totalMs).toBeGreaterThan(3 * b.prediction.totalMs);
    // The source agent is told its share with the go-ahead.
    const claim = await c.agent(n[0]).post(`/api/v1/agents/migrations/${a.id}/claim`).send({ nodeId: n[0] }).expect(200);
    expect(claim.body).toMatchObject({ proceed: true, migration: { bandwidthMbps: 2_000 } });
    await c.agent(n[0]).post(`/api/v1/agents/migrations/${a.id}/fail`).send({ nodeId: n[0], error: "test over" }).expect(200);
    await cancelAll();
  });

  it.each([
    { name: "zero", bandwidthMbps: 0, reason: /positive/ },
    { name: "negative", bandwidthMbps: -100, reason: /positive/ },
    { name: "above 1 Tbit/s", bandwidthMbps: 2_000_000, reason: /at most/ },
    { name: "not a number", bandwidthMbps: "fast", reason: /number/ },
  ])("refuses a bandwidth cap that is $name with 400 naming the field, and writes nothing", async ({ bandwidthMbps, reason }) => {
    const vm = await createVm(c, { name: `bad-cap-${String(bandwidthMbps)}`, cpu: 1, memMiB: 1024, nodeId: n[0] });
    const before = await counts(c);
    const res = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: n[1], bandwidthMbps }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: "bandwidthMbps", reason: expect.stringMatching(reason) })]);
    expect(await counts(c)).toEqual(before);
  });

  it("refuses a plan move's bandwidth cap that is not positive, naming the move", async () => {
    const vm = await createVm(c, { name: "bad-plan-cap", cpu: 1, memMiB: 1024, nodeId: n[0] });
    const before = await counts(c);
    const res = await c.admin().post("/api/v1/plans").send({ kind: "operator", moves: [{ vmId: vm.id, toNodeId: n[1], bandwidthMbps: -1 }] }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: "moves.0.bandwidthMbps", reason: expect.stringMatching(/positive/) })]);
    expect(await counts(c)).toEqual(before);
  });

  it("a cancel during a hop leaves the VM where the hop left it: its source, or the hop node", async () => {
    await c.admin().patch("/api/v1/scheduler").send({ limits: { perCluster: 5, outboundPerNode: 2, inboundPerNode: 2 } }).expect(200);
    const place = { rack: "rh", pod: "ph" };
    const [h1, h2, h3] = [
      await registerNode(c, "h1", { cpu: 2, memMiB: 2048 }, place),
      await registerNode(c, "h2", { cpu: 2, memMiB: 2048 }, place),
      await registerNode(c, "h3", { cpu: 8, memMiB: 8192 }, place),
    ];
    const a = await createVm(c, { name: "hop-a", cpu: 2, memMiB: 2048, nodeId: h1 });
    const b = await createVm(c, { name: "hop-b", cpu: 2, memMiB: 2048, nodeId: h2 });
    const swap = async () => {
      const plan = (await c.admin().post("/api/v1/plans").send({ kind: "operator", moves: [{ vmId: a.id, toNodeId: h2 }, { vmId: b.id, toNodeId: h1 }] }).expect(201)).body;
      await c.admin().post(`/api/v1/plans/${plan.id}/apply`).send({}).expect(202);
      // No agent runs here: the leg stays queued at its source until this test claims it.
      const leg = await eventually(() => c.prisma.migration.findFirst({ where: { hopForId: { not: null }, state: "queued" } }).then((m) => m ?? undefined), 10_000, "a hop leg");
      expect(leg.targetNodeId).toBe(h3);
      const served = (await c.admin().get(`/api/v1/migrations/${leg.hopForId}`).expect(200)).body;
      expect(served).toMatchObject({ state: "requested", waitReason: expect.stringMatching(/^hop: /) });
      return { vm: leg.vmId, leg, served, source: leg.sourceNodeId, plan };
    };
    const stateOf = async (id: string) => (await c.admin().get(`/api/v1/migrations/${id}`).expect(200)).body.state;
    const vmOf = async (id: string) => (await c.admin().get(`/api/v1/vms/${id}`).expect(200)).body;

    // Cancelled before the leg started: the leg is refused at its claim, and the VM stays on its source.
    const first = await swap();
    expect((await c.admin().post(`/api/v1/migrations/${first.served.id}/cancel`).expect(202)).body).toMatchObject({ state: "requested", cancelRequested: true });
    const refused = await c.agent(first.source).post(`/api/v1/agents/migrations/${first.leg.id}/claim`).send({ nodeId: first.source }).expect(200);
    expect(refused.body).toMatchObject({ proceed: false });
    expect([await stateOf(first.leg.id), await stateOf(first.served.id)]).toEqual(["cancelled", "cancelled"]);
    expect(await vmOf(first.vm)).toMatchObject({ nodeId: first.source, state: "running" });
    await c.admin().post(`/api/v1/plans/${first.plan.id}/cancel`).expect(202);
    await cancelAll();

    // Cancelled once the leg landed: the VM stays on the hop node, where the operator sees it.
    const second = await swap();
    await c.agent(second.source).post(`/api/v1/agents/migrations/${second.leg.id}/claim`).send({ nodeId: second.source, attemptId: "00000000-0000-4000-8000-000000000001" }).expect(200);
    const metrics = { preparationMs: 1, downtimeMs: 1, resumeMs: 0, pagesTransferred: 1, totalMs: 2, degradation: 0 };
    await c.agent(second.source).post(`/api/v1/agents/migrations/${second.leg.id}/complete`).send({ nodeId: second.source, metrics, bytesTransferred: 4096 }).expect(200);
    expect(await vmOf(second.vm)).toMatchObject({ nodeId: h3, state: "migrating" });
    expect((await c.admin().get(`/api/v1/migrations/${second.served.id}`).expect(200)).body).toMatchObject({ sourceNodeId: h3, state: expect.stringMatching(/requested|queued/) });
    await c.admin().post(`/api/v1/migrations/${second.served.id}/cancel`).expect(202);
    expect(await stateOf(second.served.id)).toBe("cancelled");
    expect(await vmOf(second.vm)).toMatchObject({ nodeId: h3, state: "running" });
    await c.admin().post(`/api/v1/plans/${second.plan.id}/cancel`).expect(202);
    await cancelAll();
  });

  it("audits who changed the limits", async () => {
    await c.admin().patch("/api/v1/scheduler").send({ links: { hostUplinkMbps: 25_000 } }).expect(200);
    const audit = await c.admin().get("/api/v1/audit?targetType=scheduler").expect(200);
    expect(audit.body.items[0]).toMatchObject({ actor: "admin", action: "scheduler.updated", details: { after: { links: { hostUplinkMbps: 25_000 } } } });
    expect((await c.admin().get("/api/v1/scheduler").expect(200)).body.links.hostUplinkMbps).toBe(25_000);
  });
});
