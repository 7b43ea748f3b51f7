import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeartbeatBuffer } from "../src/nodes/heartbeat-buffer";
import { UsageService } from "../src/usage/usage.service";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

const T0 = Date.parse("2026-12-01T12:00:00Z");
const load = { cpuLoad: 0.2, memLoad: 0.3, watts: 150, netTxMbps: 10, netRxMbps: 5 };

describe("usage: per-VM samples, history routes, UsageService and node gauges", () => {
  let c: TestController;
  let nowMs = T0;
  let node: string;
  let other: string;
  let web: string;
  let db: string;

  /** A heartbeat at `atMs` (controller time) carrying the given VM usage. */
  const beat = async (nodeId: string, atMs: number, body: Record<string, unknown>) => {
    nowMs = atMs;
    await c.agent(nodeId).post(`/api/v1/agents/nodes/${nodeId}/heartbeat`).send(body).expect(200);
  };
  const vmUsage = (vmId: string, cpuFraction: number, peerTxMbps: Record<string, number> = {}) => ({
    vmId,
    cpuFraction,
    memUsedMiB: 1000 * cpuFraction,
    dirtyRateMiBps: 100 * cpuFraction,
    peerTxMbps,
  });

  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 3_600_000 * 24 * 365, sampleFlushMs: 3_600_000 }, { now: () => new Date(nowMs) });
    node = await registerNode(c, "usage-a");
    other = await registerNode(c, "usage-b");
    web = (await createVm(c, { name: "web", cpu: 2, memMiB: 2048, nodeId: node, workload: { kind: "trace", series: "planetlab1_byu_edu_root" } })).id;
    db = (await createVm(c, { name: "db", cpu: 4, memMiB: 4096, nodeId: other })).id;
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: web, vmB: db, rateMbps: 300 }] }).expect(200);
    // Minute by minute from T0: node a's CPU load and web's CPU are 0.1, 0.2, ... 0.6, and web sends db 100x that in Mbps;
    // its corrected memory errors are 10, 10, 12, 15, 15, 20 and its temperature 50, 51, ... 55 °C.
    const errors = [10, 10, 12, 15, 15, 20];
    for (let i = 0; i < 6; i++) {
      const level = (i + 1) / 10;
      const health = { correctedMemoryErrors: errors[i], temperatureC: 50 + i };
      await beat(node, T0 + i * 60_000, { ...load, cpuLoad: level, health, vms: [vmUsage(web, level, { [db]: 100 * level })] });
    }
    // db on node b beats at 0:30 and 4:30, sending web 20 Mbps once.
    await beat(other, T0 + 30_000, { ...load, vms: [vmUsage(db, 0.5, { [web]: 20 })] });
    await beat(other, T0 + 270_000, { ...load, vms: [vmUsage(db, 0.7)] });
    nowMs = T0 + 6 * 60_000;
    await c.app.get(HeartbeatBuffer).flush();
  });
  afterAll(() => c.close());

  it("heartbeats carry each VM's usage into VmSample", async () => {
    expect(await c.prisma.vmSample.count({ where: { vmId: web } })).toBe(6);
    const first = await c.prisma.vmSample.findFirstOrThrow({ where: { vmId: web }, orderBy: { at: "asc" } });
    expect(first).toMatchObject({ nodeId: node, at: new Date(T0), cpuFraction: 0.1, memUsedMiB: 100, dirtyRateMiBps: 10, peerTxMbps: { [db]: 10 } });
  });

  it.each([
    { name: "a CPU fraction above 1", vms: [{ vmId: "9f1c2d3e-0000-4000-8000-000000000001", cpuFraction: 1.5, memUsedMiB: 1, dirtyRateMiBps: 0 }], field: "vms.0.cpuFraction" },
    { name: "a VM id that is not a UUID", vms: [{ vmId: "web", cpuFraction: 0.5, memUsedMiB: 1, dirtyRateMiBps: 0 }], field: "vms.0.vmId" },
    {
      name: "negative traffic to a peer",
      vms: [{ vmId: "9f1c2d3e-0000-4000-8000-000000000001", cpuFraction: 0.5, memUsedMiB: 1, dirtyRateMiBps: 0, peerTxMbps: { "9f1c2d3e-0000-4000-8000-000000000002": -1 } }],
      field: "vms.0.peerTxMbps.9f1c2d3e-0000-4000-8000-000000000002",
    },
    { name: "the same VM twice", vms: [vmUsage("9f1c2d3e-0000-4000-8000-000000000001", 0.1), vmUsage("9f1c2d3e-0000-4000-8000-000000000001", 0.2)], field: "vms" },
  ])("a heartbeat with $name is a 400 naming the field, and buffers nothing", async ({ vms, field }) => {
    const res = await c.agent(node).post(`/api/v1/agents/nodes/${node}/heartbeat`).send({ ...load, vms }).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await c.app.get(HeartbeatBuffer).flush()).toBe(0);
  });

  it("an agent learns its VMs with their workloads and traffic peers", async () => {
    const res = await c.agent(node).get(`/api/v1/agents/nodes/${node}/vms`).expect(200);
    expect(res.body.items).toEqual([
      {
        id: web,
        name: "web",
        cpu: 2,
        memMiB: 2048,
        dirtyRateMiBps: 0,
        workload: { kind: "trace", series: "planetlab1_byu_edu_root", memFraction: 0.75 },
        peers: [{ vmId: db, rateMbps: 300, workload: { kind: "constant", cpuFraction: 0.3, memFraction: 0.75 } }],
      },
    ]);
  });

  it("GET /nodes/:id/samples averages per step, from `from` on, leaving out empty buckets", async () => {
    const from = new Date(T0).toISOString();
    const to = new Date(T0 + 5 * 60_000).toISOString();
    const res = await c.admin().get(`/api/v1/nodes/${node}/samples?from=${from}&to=${to}&step=2m`).expect(200);
    // [0, 2 min): 0.1 and 0.2; [2, 4): 0.3 and 0.4; [4, 5): 0.5 (the 0.6 at 5:00 is past `to`).
    expect(res.body).toMatchObject({ nodeId: node, from, to, stepS: 120 });
    expect(res.body.points.map((p: { at: string; samples: number; cpuLoad: number }) => [p.at, p.samples, Number(p.cpuLoad.toFixed(6))])).toEqual([
      [from, 2, 0.15],
      [new Date(T0 + 120_000).toISOString(), 2, 0.35],
      [new Date(T0 + 240_000).toISOString(), 1, 0.5],
    ]);
    expect(res.body.points[0]).toEqual({ at: from, samples: 2, cpuLoad: expect.any(Number), memLoad: 0.3, watts: 150, netTxMbps: 10, netRxMbps: 5 });
    // Without a range: the last hour, by minutes.
    const recent = await c.admin().get(`/api/v1/nodes/${node}/samples`).expect(200);
    expect(recent.body).toMatchObject({ from: new Date(nowMs - 3_600_000).toISOString(), to: new Date(nowMs).toISOString(), stepS: 60 });
    expect(recent.body.points).toHaveLength(6);
  });

  it("GET /vms/:id/samples averages the VM's usage and its traffic to each peer", async () => {
    const res = await c.admin().get(`/api/v1/vms/${db}/samples?from=${new Date(T0).toISOString()}&step=300`).expect(200);
    // 0:30 (0.5, 20 Mbps to web) and 4:30 (0.7, nothing to web) share the first 5-minute bucket.
    expect(res.body.points).toEqual([
      { at: new Date(T0).toISOString(), samples: 2, nodeIds: [other], cpuFraction: 0.6, memUsedMiB: 600, dirtyRateMiBps: 60, peerTxMbps: { [web]: 10 } },
    ]);
  });

  it.each([
    { name: "a step of 0", query: "step=0", field: "step" },
    { name: "a step with an unknown unit", query: "step=3w", field: "step" },
    { name: "from after to", query: "from=2026-12-01T13:00:00Z&to=2026-12-01T12:00:00Z", field: "from" },
    { name: "too many buckets", query: "from=2026-11-01T00:00:00Z&step=1", field: "step" },
    { name: "a time that is not ISO 8601", query: "to=noon", field: "to" },
    { name: "an unknown parameter", query: "limit=5", field: "(query)" },
  ])("a history request with $name is a 400 naming the field", async ({ query, field }) => {
    for (const path of [`/api/v1/nodes/${node}/samples`, `/api/v1/vms/${web}/samples`]) {
      const res = await c.admin().get(`${path}?${query}`).expect(400);
      expect(res.body).toMatchObject({ error: "ValidationFailed", details: expect.arrayContaining([expect.objectContaining({ field })]) });
    }
  });

  it("history of an unknown node or VM is a 404, of a malformed id a 400", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    await c.admin().get(`/api/v1/nodes/${unknown}/samples`).expect(404);
    await c.admin().get(`/api/v1/vms/${unknown}/samples`).expect(404);
    await c.admin().get("/api/v1/vms/web/samples").expect(400);
  });

  it("UsageService: node and VM averages over the window, pair traffic, and interval history", async () => {
    const before = await counts(c);
    // Window [2:00, 6:00] after T0: node a's and web's samples at 2:00..5:00 (0.3..0.6).
    const usage = await c.app.get(UsageService).clusterUsage({ windowS: 240, history: { intervalS: 120, intervals: 4 } });
    expect(usage.at).toEqual(new Date(nowMs));
    const a = usage.nodes.get(node)!;
    expect(a).toMatchObject({ nodeId: node, samples: 4, memLoad: 0.3, watts: 150, netTxMbps: 10 });
    expect(a.cpuLoad).toBeCloseTo(0.45, 12);
    // web's dirty rate is 100 x its CPU: mean of 30, 40, 50, 60.
    expect(a.dirtyRateMiBps).toBeCloseTo(45, 9);
    // Health over the window: errors 12 at 2:00 to 20 at 5:00, rising at 3:00 and 5:00; 52 to 55 °C. Node b reported none.
    expect(a).toMatchObject({ correctedMemoryErrors: { first: 12, last: 20, rises: 2 }, temperatureC: { min: 52, max: 55 } });
    expect(usage.nodes.get(other)).not.toHaveProperty("temperatureC");
    const w = usage.vms.get(web)!;
    expect(w).toMatchObject({ vmId: web, nodeId: node, samples: 4 });
    expect(w.cpuFraction).toBeCloseTo(0.45, 12);
    expect(w.peerTxMbps[db]).toBeCloseTo(45, 9);
    // db's only sample in the window is 4:30 (0.7), which sent web nothing.
    expect(usage.vms.get(db)).toMatchObject({ nodeId: other, samples: 1, cpuFraction: 0.7, peerTxMbps: {} });
    expect(usage.traffic).toHaveLength(1);
    const [pair] = usage.traffic;
    expect([pair!.vmA, pair!.vmB]).toEqual([web, db].sort());
    expect(pair!.mbps).toBeCloseTo(45, 9);

    // History: intervals (-2:00, 0:00], (0:00, 2:00], (2:00, 4:00], (4:00, 6:00] around T0.
    const h = usage.history!;
    expect(h).toMatchObject({ intervalS: 120, intervals: 4 });
    // Node a: 0:00 (0.1) is in the first interval, then 1:00 and 2:00, 3:00 and 4:00, and 5:00 alone.
    expect(h.nodes.get(node)!.map((x) => Number(x.toFixed(6)))).toEqual([0.1, 0.25, 0.45, 0.6]);
    // db: nothing before 0:30, then 0.5; no sample in (2:00, 4:00], so 0.5 again; 0.7 at 4:30.
    expect(h.vms.get(db)).toEqual([0.5, 0.5, 0.7]);
    expect(await counts(c)).toEqual(before);
  });

  it.each([
    { name: "a window of 0", query: { windowS: 0 }, field: "windowS" },
    { name: "a window over a week", query: { windowS: 8 * 86_400 }, field: "windowS" },
    { name: "a fractional interval count", query: { windowS: 60, history: { intervalS: 60, intervals: 2.5 } }, field: "history.intervals" },
    { name: "a history over a week", query: { windowS: 60, history: { intervalS: 86_400, intervals: 8 } }, field: "history" },
  ])("UsageService refuses $name, naming the field", async ({ query, field }) => {
    await expect(c.app.get(UsageService).clusterUsage(query)).rejects.toMatchObject({ code: "ValidationFailed", details: [expect.objectContaining({ field })] });
  });

  it("/metrics has per-node load, memory, power and traffic gauges from the latest heartbeat, next to the old ones", async () => {
    const res = await c.http().get("/metrics").expect(200);
    expect(res.text).toMatch(/^ferry_node_cpu_load\{node="usage-a"\} 0\.6$/m);
    expect(res.text).toMatch(/^ferry_node_memory_load\{node="usage-b"\} 0\.3$/m);
    expect(res.text).toMatch(/^ferry_node_power_watts\{node="usage-a"\} 150$/m);
    expect(res.text).toMatch(/^ferry_node_network_transmit_mbps\{node="usage-a"\} 10$/m);
    expect(res.text).toMatch(/^ferry_node_network_receive_mbps\{node="usage-b"\} 5$/m);
    expect(res.text).toMatch(/^ferry_node_heartbeat_lag_seconds\{node="usage-a"\} /m);
    expect(res.text).toMatch(/^ferry_nodes\{state="active"\} 2$/m);
  });
});
