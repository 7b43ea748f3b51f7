import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ColdRestart } from "../src/recovery/cold-restart";
import { TestController, createVm, eventually, registerNode, startController } from "./support/harness";

const beat = { cpuLoad: 0.4, memLoad: 0.5, watts: 180, netTxMbps: 10, netRxMbps: 20 };

/** A failed node's VMs become unknown, then are cold-restarted elsewhere after the grace period, audited. */
describe("VMs of a failed node", () => {
  let c: TestController;
  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 3_000, reconcileIntervalMs: 100, sampleFlushMs: 100, policyTickMs: 3_600_000 });
  });
  afterAll(async () => {
    // Quiet the cold restart's loop (it looks at the stranded VM of the dry-run case every pass) before stopping.
    await c.admin().patch("/api/v1/policies/evacuate").send({ mode: "off" }).expect(200);
    await c.close();
  }, 60_000);

  it("are restarted on a healthy node once the grace period is over, each on exactly one node", async () => {
    const dying = await registerNode(c, "dying", { cpu: 8, memMiB: 16_384 }, { rack: "r1" });
    const healthy = await registerNode(c, "healthy", { cpu: 8, memMiB: 16_384 }, { rack: "r1" });
    const cordoned = await registerNode(c, "cordoned", { cpu: 8, memMiB: 16_384 }, { rack: "r1" });
    const beating = new Set([dying, healthy, cordoned]);
    const keepAlive = setInterval(() => {
      for (const id of beating) void c.agent(id).post(`/api/v1/agents/nodes/${id}/heartbeat`).send(beat).then(() => undefined, () => undefined);
    }, 100);
    await c.admin().post(`/api/v1/nodes/${cordoned}/cordon`).expect(200);
    await c.admin().patch("/api/v1/policies/evacuate").send({ params: { restartGraceS: 1 } }).expect(200);
    try {
      const vms = await Promise.all([1, 2].map((i) => createVm(c, { name: `ha-${i}`, cpu: 2, memMiB: 2048, nodeId: dying })));
      beating.delete(dying);
      await eventually(async () => ((await c.admin().get(`/api/v1/nodes/${dying}`).expect(200)).body.state === "failed" ? true : undefined), 10_000, "the node to fail");
      for (const vm of vms) {
        const got = await eventually(async () => {
          const v = (await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body;
          return v.state === "running" && v.nodeId !== dying ? v : undefined;
        }, 10_000, `VM ${vm.id} to be restarted`);
        expect(got.nodeId).toBe(healthy);
      }
      const audit = await c.admin().get(`/api/v1/audit?targetType=vm&targetId=${vms[0]!.id}`).expect(200);
      expect(audit.body.items[0]).toMatchObject({ actor: "system:cold-restart", action: "vm.restarted", details: { from: "dying", to: "healthy", how: expect.stringMatching(/cold restart/) } });
      expect(await c.app.get(ColdRestart).pass()).toEqual([]);
    } finally {
      clearInterval(keepAlive);
    }
  }, 60_000);

  it("are only reported, not restarted, when the evacuate policy is not in auto mode", async () => {
    await c.admin().patch("/api/v1/policies/evacuate").send({ mode: "dry-run" }).expect(200);
    const lone = await registerNode(c, "lone", { cpu: 4, memMiB: 8_192 });
    // As liveness leaves it a minute after the node went silent.
    const past = new Date(Date.now() - 60_000);
    await c.prisma.node.update({ where: { id: lone }, data: { state: "failed", createdAt: past, updatedAt: past } });
    const vm = await c.prisma.vm.create({ data: { name: "ha-lone", cpu: 1, memMiB: 1024, nodeId: lone, state: "unknown" } });
    const outcomes = await c.app.get(ColdRestart).pass();
    expect(outcomes).toEqual(expect.arrayContaining([expect.objectContaining({ vmId: vm.id, from: "lone", reason: "dry-run: not restarted" })]));
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body).toMatchObject({ nodeId: lone, state: "unknown" });
  });
});
