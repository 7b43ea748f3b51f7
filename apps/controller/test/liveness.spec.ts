import { Queue } from "bullmq";
import { nodeQueueName } from "@ferry/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeartbeatBuffer } from "../src/nodes/heartbeat-buffer";
import { TestController, createVm, eventually, registerNode, startController } from "./support/harness";

const beat = { cpuLoad: 0.4, memLoad: 0.5, watts: 180, netTxMbps: 10, netRxMbps: 20 };

describe("heartbeats and liveness", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 2_000, reconcileIntervalMs: 100, sampleFlushMs: 100 });
  });
  afterAll(() => c.close());

  it("heartbeats reach Redis at once and PostgreSQL in batches", async () => {
    const id = await registerNode(c, "beating");
    for (let i = 0; i < 5; i++) await c.agent(id).post(`/api/v1/agents/nodes/${id}/heartbeat`).send(beat).expect(200);
    const node = await c.admin().get(`/api/v1/nodes/${id}`).expect(200);
    // What the agent sent, with the power state a heartbeat reports (on unless it says otherwise).
    expect(node.body.load).toEqual({ ...beat, power: "on" });
    await c.app.get(HeartbeatBuffer).flush();
    expect(await c.prisma.nodeSample.count({ where: { nodeId: id } })).toBe(5);
    const row = await c.prisma.node.findUniqueOrThrow({ where: { id } });
    expect(row.lastHeartbeatAt).not.toBeNull();
    expect(Math.abs(row.lastHeartbeatAt!.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it.each([
    { name: "a load above 1", body: { ...beat, cpuLoad: 1.5 }, field: "cpuLoad" },
    { name: "negative watts", body: { ...beat, watts: -1 }, field: "watts" },
    { name: "a missing field", body: { cpuLoad: 0.1 }, field: "memLoad" },
  ])("a heartbeat with $name is a 400", async ({ body, field }) => {
    const id = await registerNode(c, `bad-beat-${field.toLowerCase()}`);
    const res = await c.agent(id).post(`/api/v1/agents/nodes/${id}/heartbeat`).send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it("a heartbeat for a node the credential does not name is a 403", async () => {
    const id = await registerNode(c, "beats-for-others");
    await c.agent(id).post("/api/v1/agents/nodes/00000000-0000-4000-8000-000000000000/heartbeat").send(beat).expect(403);
  });

  it("a silent node is marked failed, its queued migrations end and their jobs never run; it recovers when it speaks", async () => {
    const quiet = await registerNode(c, "quiet");
    const alive = await registerNode(c, "alive");
    // supertest sends only when awaited or then-ed.
    const keepAlive = setInterval(() => void c.agent(alive).post(`/api/v1/agents/nodes/${alive}/heartbeat`).send(beat).then(() => undefined, () => undefined), 100);
    try {
      const vm = await createVm(c, { name: "on-quiet", cpu: 1, memMiB: 512, nodeId: quiet });
      const { body: m } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: alive }).expect(202);

      const failed = await eventually(async () => {
        const n = await c.admin().get(`/api/v1/nodes/${quiet}`).expect(200);
        return n.body.state === "failed" ? n.body : undefined;
      }, 10_000, "the quiet node to fail");
      expect(failed.stateReason).toMatch(/no heartbeat/);
      expect((await c.admin().get(`/api/v1/nodes/${alive}`).expect(200)).body.state).toBe("active");

      // The node is marked failed first, then its migrations end and its VMs become unknown.
      const ended = await eventually(async () => {
        const got = (await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body;
        return got.state === "failed" ? got : undefined;
      }, 5_000, "the migration to end");
      expect(ended).toMatchObject({ state: "failed", error: "node quiet failed" });
      // Whether it still runs on the silent node cannot be known.
      const stranded = await eventually(async () => {
        const got = (await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body;
        return got.state === "unknown" ? got : undefined;
      }, 5_000, "the VM to become unknown");
      expect(stranded).toMatchObject({ nodeId: quiet, state: "unknown" });
      const q = new Queue(nodeQueueName(quiet), { connection: { url: c.config.redisUrl }, prefix: c.config.redisPrefix });
      expect(await q.getJob(m.id)).toBeUndefined();
      await q.close();
      const claim = await c.agent(quiet).post(`/api/v1/agents/migrations/${m.id}/claim`).send({ nodeId: quiet }).expect(200);
      expect(claim.body.proceed).toBe(false);

      const audit = await c.admin().get(`/api/v1/audit?targetType=node&targetId=${quiet}`).expect(200);
      expect(audit.body.items[0]).toMatchObject({ actor: "system:liveness", action: "node.failed" });

      await c.agent(quiet).post(`/api/v1/agents/nodes/${quiet}/heartbeat`).send(beat).expect(200);
      await eventually(async () => {
        const n = await c.admin().get(`/api/v1/nodes/${quiet}`).expect(200);
        return n.body.state === "active" ? true : undefined;
      }, 5_000, "the quiet node to recover");
      expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: quiet, state: "running" });
    } finally {
      clearInterval(keepAlive);
    }
  });

  it("metrics show nodes by state, migrations by state, queue depth and heartbeat lag", async () => {
    const res = await c.http().get("/metrics").expect(200);
    expect(res.text).toMatch(/^ferry_nodes\{state="active"\} \d+/m);
    expect(res.text).toMatch(/^ferry_nodes\{state="failed"\} \d+/m);
    expect(res.text).toMatch(/^ferry_migrations\{state="failed"\} [1-9]/m);
    expect(res.text).toMatch(/^ferry_migration_queue_depth \d+/m);
    expect(res.text).toMatch(/^ferry_node_heartbeat_lag_seconds\{node="beating"\} [\d.]+/m);
  });
});

describe("a running migration whose agent goes silent", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController({ reconcileIntervalMs: 100, migrationProgressTimeoutMs: 400, heartbeatTimeoutMs: 3_600_000 });
  });
  afterAll(() => c.close());

  it("is failed after the progress timeout, and the VM stays on its source", async () => {
    const src = await registerNode(c, "src");
    const dst = await registerNode(c, "dst");
    const vm = await createVm(c, { name: "stuck", cpu: 1, memMiB: 512, nodeId: src });
    const { body: m } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await c.agent(src).post(`/api/v1/agents/migrations/${m.id}/claim`).send({ nodeId: src }).expect(200);
    const ended = await eventually(async () => {
      const got = await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200);
      return got.body.state === "failed" ? got.body : undefined;
    }, 5_000, "the stalled migration to fail");
    expect(ended.error).toMatch(/no progress/);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: src, state: "running" });
    const late = await c.agent(src).post(`/api/v1/agents/migrations/${m.id}/progress`).send({ nodeId: src, phase: "pre-copy", progress: 0.9 }).expect(200);
    expect(late.body).toMatchObject({ cancel: true });
  });
});
