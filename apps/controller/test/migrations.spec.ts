import { Queue } from "bullmq";
import { nodeQueueName } from "@ferry/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MigrationScheduler } from "../src/scheduler/migration-scheduler";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

const metrics = { preparationMs: 1, downtimeMs: 120, resumeMs: 2, pagesTransferred: 262144, totalMs: 1500, degradation: 0.02 };

describe("migrations", () => {
  let c: TestController;
  let src: string;
  let dst: string;
  let full: string;
  let vmSeq = 0;
  let vm: { id: string; nodeId: string };
  let noReverse: { id: string; nodeId: string };
  const queue = (nodeId: string) => new Queue(nodeQueueName(nodeId), { connection: { url: c.config.redisUrl }, prefix: c.config.redisPrefix });

  beforeAll(async () => {
    // A long reconcile interval: these tests drive every step by hand.
    c = await startController({ reconcileIntervalMs: 3_600_000, heartbeatTimeoutMs: 3_600_000 });
    src = await registerNode(c, "src", { cpu: 256, memMiB: 1_048_576 });
    dst = await registerNode(c, "dst", { cpu: 256, memMiB: 1_048_576 });
    full = await registerNode(c, "full", { cpu: 1, memMiB: 1024 });
  });
  afterAll(() => c.close());
  beforeEach(async () => {
    vm = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 2, memMiB: 4096, nodeId: src, sla: { maxDowntimeMs: 100 } });
    noReverse = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 1, memMiB: 1024, nodeId: src, postCopyRecovery: false });
  });

  const request = (body: Record<string, unknown>) => c.admin().post("/api/v1/migrations").send(body);
  const agent = (id: string, step: string, body: Record<string, unknown> = {}) =>
    c.agent(src).post(`/api/v1/agents/migrations/${id}/${step}`).send({ nodeId: src, ...body });

  it("a request answers 202 with the documented shape and puts one job on the source's queue", async () => {
    const res = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    // An idle VM with the reverse stream (the default) may go by post-copy: the chooser picks the cheapest.
    expect(res.body).toMatchObject({ id: expect.any(String), vmId: vm.id, sourceNodeId: src, targetNodeId: dst, technique: expect.any(String), state: "queued" });
    const q = queue(src);
    const job = await q.getJob(res.body.id);
    expect(job?.data).toEqual({ migrationId: res.body.id });
    await q.close();
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.state).toBe("migrating");
  });

  it("runs through claim, progress and completion: the VM moves in the same transaction", async () => {
    vm = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 2, memMiB: 4096, nodeId: src, sla: { maxDowntimeMs: 100 }, allowPostCopy: true });
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst, technique: "post-copy" }).expect(202);
    const claim = await agent(m.id, "claim").expect(200);
    expect(claim.body).toMatchObject({ proceed: true, migration: { technique: "post-copy", vm: { memMiB: 4096 }, sla: { maxDowntimeMs: 100 } } });
    const share = (await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body.bandwidthShareMbps;
    expect(share).toBeGreaterThan(0);
    // The answer carries the migration's share now: the agent's rate follows it.
    expect((await agent(m.id, "progress", { phase: "pre-copy", round: 1, progress: 0.5, etaMs: 700 }).expect(200)).body).toEqual({ cancel: false, bandwidthMbps: share });
    const done = await agent(m.id, "complete", { metrics, bytesTransferred: 1 << 30 }).expect(200);
    expect(done.body).toMatchObject({ state: "completed", metrics, bytesTransferred: 1 << 30 });
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: dst, state: "running" });
    await agent(m.id, "complete", { metrics, bytesTransferred: 1 << 30 }).expect(200);
    const events = await c.admin().get(`/api/v1/migrations/${m.id}/events`).expect(200);
    expect(events.body).toEqual({ items: [expect.objectContaining({ phase: "pre-copy", round: 1, progress: 0.5, etaMs: 700 })], nextCursor: null });
    const audit = await c.admin().get(`/api/v1/audit?targetType=migration&targetId=${m.id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(["migration.completed", "migration.started", "migration.requested"]);
    await agent(m.id, "sla-breaches", { kind: "downtime", limitMs: 100, actualMs: 120 }).expect(201);
    await agent(m.id, "sla-breaches", { kind: "downtime", limitMs: 100, actualMs: 120 }).expect(201);
    expect((await c.admin().get(`/api/v1/migrations/${m.id}/sla-breaches`).expect(200)).body.items).toHaveLength(1);
  });

  it("admits a requested technique with its options, and hands them to the agent with the prediction", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst, technique: "pre-copy", techniqueOptions: { delta: true } }).expect(202);
    expect(m.techniqueOptions).toMatchObject({ name: "pre-copy", delta: true, downtimeLimitMs: 300 });
    expect(m.prediction).toMatchObject({ technique: "pre-copy+delta", downtimeMs: expect.any(Number), totalMs: expect.any(Number) });
    const claim = await agent(m.id, "claim").expect(200);
    expect(claim.body.migration).toMatchObject({ technique: "pre-copy", techniqueOptions: { delta: true } });
    await agent(m.id, "fail", { error: "test over" }).expect(200);
  });

  it("chooses the technique when none is asked for, and refuses a migration predicted to break the SLA", async () => {
    const { body: chosen } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    expect(chosen.prediction.reason).toMatch(/meet/);
    expect(chosen.prediction.downtimeMs).toBeLessThanOrEqual(100);
    await c.admin().post(`/api/v1/migrations/${chosen.id}/cancel`).expect(202);
    const strict = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 1, memMiB: 4096, nodeId: src, sla: { maxTotalMs: 100 } });
    const before = await counts(c);
    const res = await request({ vmId: strict.id, targetNodeId: dst }).expect(409);
    expect(res.body).toMatchObject({ error: "SlaUnattainable", details: { candidates: expect.any(Array) } });
    expect(await counts(c)).toEqual(before);
    expect((await c.admin().get(`/api/v1/vms/${strict.id}`).expect(200)).body.state).toBe("running");
  });

  it("a new cap that would break the VM's SLA is refused unless the breach is accepted, and nothing changes until then", async () => {
    const patient = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 1, memMiB: 4096, nodeId: src, sla: { maxTotalMs: 60_000 } });
    const { body: m } = await request({ vmId: patient.id, targetNodeId: dst, technique: "pre-copy" }).expect(202);
    const patch = (body: Record<string, unknown>) => c.admin().patch(`/api/v1/migrations/${m.id}`).send(body);
    const auditOf = async () => (await c.admin().get(`/api/v1/audit?targetType=migration&targetId=${m.id}`).expect(200)).body.items.map((e: { action: string }) => e.action);
    const before = await auditOf();
    // 4 GiB at 10 Mbit/s takes about an hour.
    const refused = await patch({ bandwidthMbps: 10 }).expect(409);
    expect(refused.body).toMatchObject({ error: "SlaUnattainable", details: { technique: expect.any(String) } });
    expect((await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body.bandwidthMbps).toBeNull();
    expect(await auditOf()).toEqual(before);
    expect((await patch({ bandwidthMbps: 10, acceptSlaBreach: true }).expect(200)).body.bandwidthMbps).toBe(10);
    expect((await patch({ bandwidthMbps: null }).expect(200)).body.bandwidthMbps).toBeNull();
    expect((await auditOf()).filter((a: string) => a === "migration.bandwidth-changed")).toHaveLength(2);
    await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
  });

  it("a failed migration leaves the VM on its source", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await agent(m.id, "claim").expect(200);
    await agent(m.id, "fail", { error: "link down" }).expect(200);
    const got = await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200);
    expect(got.body).toMatchObject({ state: "failed", error: "link down", metrics: null });
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: src, state: "running" });
    await agent(m.id, "complete", { metrics, bytesTransferred: 1 }).expect(409);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(src);
  });

  it("a job delivered again while its migration runs fails it instead of starting a second copy", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await agent(m.id, "claim").expect(200);
    const again = await agent(m.id, "claim").expect(200);
    expect(again.body.proceed).toBe(false);
    expect((await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body.state).toBe("failed");
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: src, state: "running" });
    expect((await agent(m.id, "claim").expect(200)).body.proceed).toBe(false);
  });

  it("cancelling a queued migration ends it and withdraws its job", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    const res = await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
    expect(res.body.state).toBe("cancelled");
    const q = queue(src);
    expect(await q.getJob(m.id)).toBeUndefined();
    await q.close();
    expect((await agent(m.id, "claim").expect(200)).body.proceed).toBe(false);
    await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(409);
  });

  it("cancelling a running migration asks the agent to stop; the VM stays on its source", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await agent(m.id, "claim").expect(200);
    const asked = await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
    expect(asked.body).toMatchObject({ state: "running", cancelRequested: true });
    expect((await agent(m.id, "progress", { phase: "pre-copy", progress: 0.3 }).expect(200)).body).toMatchObject({ cancel: true });
    await agent(m.id, "fail", { error: "cancelled", cancelled: true }).expect(200);
    expect((await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body.state).toBe("cancelled");
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: src, state: "running" });
  });

  it("only the source node may report on a migration", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await agent(m.id, "claim", { nodeId: dst }).expect(403);
    await c.agent(dst).post(`/api/v1/agents/migrations/${m.id}/claim`).send({ nodeId: dst }).expect(403);
    await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
  });

  it("a VM has at most one active migration, even under concurrent requests", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => request({ vmId: vm.id, targetNodeId: dst })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(4);
    expect(refused[0]!.body.error).toBe("MigrationInProgress");
  });

  it.each([
    { name: "a body without targetNodeId", body: () => ({ vmId: vm.id }), status: 400, error: "ValidationFailed" },
    { name: "an unknown technique", body: () => ({ vmId: vm.id, targetNodeId: dst, technique: "teleport" }), status: 400, error: "ValidationFailed" },
    { name: "options without a technique", body: () => ({ vmId: vm.id, targetNodeId: dst, techniqueOptions: { delta: true } }), status: 400, error: "ValidationFailed" },
    { name: "an option the technique does not take", body: () => ({ vmId: vm.id, targetNodeId: dst, technique: "non-live", techniqueOptions: { delta: true } }), status: 400, error: "ValidationFailed" },
    { name: "an unknown VM", body: () => ({ vmId: "00000000-0000-4000-8000-000000000000", targetNodeId: dst }), status: 404, error: "VmNotFound" },
    { name: "an unknown target", body: () => ({ vmId: vm.id, targetNodeId: "00000000-0000-4000-8000-000000000000" }), status: 404, error: "NodeNotFound" },
    { name: "the VM's own node", body: () => ({ vmId: vm.id, targetNodeId: src }), status: 409, error: "VmNotMigratable" },
    {
      name: "post-copy for a VM without the reverse stream that did not opt in",
      body: () => ({ vmId: noReverse.id, targetNodeId: dst, technique: "post-copy" }),
      status: 409,
      error: "VmNotMigratable",
    },
    { name: "a target without room", body: () => ({ vmId: vm.id, targetNodeId: full }), status: 409, error: "CapacityExceeded" },
  ])("$name is refused with $status and nothing is written", async ({ body, status, error }) => {
    const before = await counts(c);
    const res = await request(body()).expect(status);
    expect(res.body).toMatchObject({ statusCode: status, error });
    if (error === "CapacityExceeded") expect(res.body.message).toMatch(/MiB free, 4096 MiB needed/);
    expect(await counts(c)).toEqual(before);
  });

  it("a cordoned target is refused with a reason", async () => {
    await c.admin().post(`/api/v1/nodes/${dst}/cordon`).expect(200);
    const res = await request({ vmId: vm.id, targetNodeId: dst }).expect(409);
    expect(res.body).toMatchObject({ error: "NodeNotSchedulable", message: expect.stringContaining("cordoned") });
    await c.admin().post(`/api/v1/nodes/${dst}/uncordon`).expect(200);
  });

  it("an active migration reserves the target's capacity", async () => {
    const tight = await registerNode(c, "tight", { cpu: 2, memMiB: 4096 });
    const other = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 2, memMiB: 4096, nodeId: src });
    await request({ vmId: vm.id, targetNodeId: tight }).expect(202);
    const res = await request({ vmId: other.id, targetNodeId: tight }).expect(409);
    expect(res.body.error).toBe("CapacityExceeded");
  });

  it("state only moves forward, enforced by the database", async () => {
    const { body: m } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await c.admin().post(`/api/v1/migrations/${m.id}/cancel`).expect(202);
    await expect(c.prisma.migration.update({ where: { id: m.id }, data: { state: "queued" } })).rejects.toThrow(/cannot move from cancelled to queued/);
  });

  it("lists with filters", async () => {
    const { body: finished } = await request({ vmId: vm.id, targetNodeId: dst }).expect(202);
    await agent(finished.id, "claim").expect(200);
    await agent(finished.id, "complete", { metrics, bytesTransferred: 1 << 30 }).expect(200);
    const other = await createVm(c, { name: `vm-${vmSeq++}`, cpu: 2, memMiB: 4096, nodeId: src });
    const { body: queued } = await request({ vmId: other.id, targetNodeId: dst }).expect(202);
    const res = await c.admin().get(`/api/v1/migrations?state=completed&nodeId=${dst}`).expect(200);
    const ids = res.body.items.map((m: { id: string }) => m.id);
    expect(ids).toContain(finished.id);
    expect(ids).not.toContain(queued.id);
    expect(res.body.items.every((m: { state: string }) => m.state === "completed")).toBe(true);
    await c.admin().get("/api/v1/migrations?state=flying").expect(400);
    await c.admin().get("/api/v1/migrations/00000000-0000-4000-8000-000000000000").expect(404);
  });

  it("the scheduler starts a migration left in 'requested' (the controller died before its pass)", async () => {
    // Earlier tests leave migrations queued at agents that do not exist here: lift the limits they would count against.
    await c.admin().patch("/api/v1/scheduler").send({ limits: { perCluster: 100, outboundPerNode: 100, inboundPerNode: 100 } }).expect(200);
    const m = await c.prisma.migration.create({
      data: {
        vmId: vm.id,
        sourceNodeId: src,
        targetNodeId: dst,
        technique: "pre-copy",
        reason: "test",
        requestedBy: "test",
        cpu: 2,
        memMiB: 4096,
        requestedAt: new Date(Date.now() - 5_000),
      },
    });
    await c.app.get(MigrationScheduler).pass();
    const got = await c.prisma.migration.findUniqueOrThrow({ where: { id: m.id } });
    expect(got.state).toBe("queued");
    expect(got.queuedAt).not.toBeNull();
    const q = queue(src);
    expect(await q.getJob(m.id)).toBeDefined();
    await q.close();
  });
});
