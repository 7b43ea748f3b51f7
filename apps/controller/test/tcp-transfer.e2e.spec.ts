import type { ClaimedMigration } from "@ferry/protocol";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_CONFIG, type AgentConfig } from "../../node-agent/src/common/config";
import { expectedImageDigest } from "../../node-agent/src/guest/expected-image";
import { GuestHost } from "../../node-agent/src/guest/guest-host";
import { GuestPlane } from "../../node-agent/src/guest/guest-plane";
import { VmStaysOnSource } from "../../node-agent/src/migration/executor";
import { TcpExecutor } from "../../node-agent/src/migration/tcp-executor";
import { TestController, createVm, eventually, nodeIdsByName, registerNode, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/** A controller and two agents in tcp mode: real guest images, real bytes over loopback TCP between the agents. */
describe("real transfers between two agents (FERRY_AGENT_MODE=tcp)", () => {
  let c: TestController;
  let dir: string;
  let agents: Record<string, Agent> = {};
  let nodes: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ferry-tcp-e2e-"));
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 200 });
    for (const name of ["tcp-1", "tcp-2"]) {
      agents[name] = await startAgent(c, name, { FERRY_AGENT_MODE: "tcp", FERRY_AGENT_DATA_DIR: join(dir, name), FERRY_AGENT_DATA_PORT: "0" });
    }
    nodes = await nodeIdsByName(c, 2, { beating: true });
  });
  afterAll(async () => {
    for (const a of Object.values(agents)) await a.close();
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const guests = (name: string) => agents[name].app.get(GuestPlane).guests;
  const imagePath = (name: string, vmId: string) => join(dir, name, "vms", `${vmId}.img`);

  async function migrate(vmId: string, to: string, request: Record<string, unknown> = { technique: "pre-copy" }) {
    const { body } = await c.admin().post("/api/v1/migrations").send({ vmId, targetNodeId: nodes[to], ...request }).expect(202);
    return ended(body.id);
  }

  function ended(migrationId: string) {
    return eventually(async () => {
      const m = (await c.admin().get(`/api/v1/migrations/${migrationId}`).expect(200)).body;
      return m.state === "completed" || m.state === "failed" ? m : undefined;
    }, 90_000, "the migration to end");
  }

  it("registers each agent's data address", async () => {
    const node = await c.prisma.node.findUniqueOrThrow({ where: { id: nodes["tcp-2"] } });
    expect(node.dataAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("a pre-copy migration completes with equal image digests recorded; the image moves to the target", async () => {
    const vm = await createVm(c, { name: "tcp-vm-1", cpu: 1, memMiB: 64, dirtyRateMiBps: 8, nodeId: nodes["tcp-1"] });
    await eventually(async () => (guests("tcp-1").get(vm.id) ? true : undefined), 15_000, "the source agent to start the guest");
    const m = await migrate(vm.id, "tcp-2");
    expect(m.state, m.error).toBe("completed");
    expect(m.imageDigest.source).toMatch(/^[0-9a-f]{64}$/);
    expect(m.imageDigest.target).toBe(m.imageDigest.source);
    expect(m.metrics.pagesTransferred).toBeGreaterThanOrEqual((64 * 1024) / 4);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes["tcp-2"]);
    await eventually(async () => (guests("tcp-2").get(vm.id) && !existsSync(imagePath("tcp-1", vm.id)) ? true : undefined), 60_000, "the target to run the VM and the source to delete its image");
    expect(existsSync(imagePath("tcp-2", vm.id))).toBe(true);
  }, 120_000);

  it("a digest mismatch fails the migration: the VM stays on its source with its image, both digests recorded", async () => {
    const vm = await createVm(c, { name: "tcp-vm-2", cpu: 1, memMiB: 64, dirtyRateMiBps: 8, nodeId: nodes["tcp-1"] });
    await eventually(async () => (guests("tcp-1").get(vm.id) ? true : undefined), 15_000, "the source agent to start the guest");
    guests("tcp-2").corruptBeforeDigest = (image) => image.writeAt(4096 * 7 + 3, Buffer.from([0x5a]));
    try {
      const m = await migrate(vm.id, "tcp-2");
      expect(m.state).toBe("failed");
      expect(m.error).toMatch(/image digest mismatch/);
      expect(m.imageDigest.source).not.toBe(m.imageDigest.target);
    } finally {
      guests("tcp-2").corruptBeforeDigest = undefined;
    }
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes["tcp-1"]);
    const guest = guests("tcp-1").get(vm.id)!;
    expect(existsSync(imagePath("tcp-1", vm.id))).toBe(true);
    const writes = guest.workload.writes;
    await eventually(async () => (guest.workload.writes > writes ? true : undefined), 5_000, "the guest to run again on its source");
    expect(guests("tcp-2").get(vm.id)).toBeUndefined();
  }, 120_000);

  it("the target refuses a source with a wrong transfer secret before opening an image; with the claim's secret the migration completes", async () => {
    // The test plays the source agent (its own node and credential, its guest in this process) to choose the secret it proves.
    const source = await registerNode(c, "tcp-source-in-test");
    const beat = () => c.agent(source).post(`/api/v1/agents/nodes/${source}/heartbeat`).send({ cpuLoad: 0.1, memLoad: 0.1, watts: 120, netTxMbps: 0, netRxMbps: 0 }).expect(200);
    await beat();
    const beating = setInterval(() => void beat().catch(() => undefined), 200);
    const host = new GuestHost({ dataDir: join(dir, "tcp-source-in-test"), locality: { kind: "hotset", fraction: 0.1, share: 0.9 } });
    try {
      const vm = await createVm(c, { name: "tcp-vm-3", cpu: 1, memMiB: 16, dirtyRateMiBps: 8, nodeId: source });
      host.guestFor({ id: vm.id, memMiB: 16, dirtyRateMiBps: 8 });
      const { body } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: nodes["tcp-2"], technique: "pre-copy" }).expect(202);
      const claim = await c.agent(source).post(`/api/v1/agents/migrations/${body.id}/claim`).send({ nodeId: source }).expect(200);
      const m = claim.body.migration as ClaimedMigration;
      const executor = new TcpExecutor(host, { compress: false, bandwidthMbps: null });
      const hooks = { signal: new AbortController().signal, progress: async () => undefined, beforeSwitchover: async () => undefined, onShare: () => undefined };

      const refused = await executor.run({ ...m, transferSecret: `${m.transferSecret}x` }, hooks).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(VmStaysOnSource);
      expect((refused as Error).message).toMatch(/wrong transfer proof/);
      const incoming = join(dir, "tcp-2", "incoming");
      expect(existsSync(incoming) ? readdirSync(incoming).filter((f) => f.startsWith(vm.id)) : []).toEqual([]);

      const result = await executor.run(m, hooks);
      expect(result.imageDigest!.target).toBe(result.imageDigest!.source);
      const { metrics, bytesTransferred, imageDigest } = result;
      await c.agent(source).post(`/api/v1/agents/migrations/${m.id}/complete`).send({ nodeId: source, metrics, bytesTransferred, imageDigest }).expect(200);
      await result.settle!(true);
      expect((await c.admin().get(`/api/v1/migrations/${m.id}`).expect(200)).body.state).toBe("completed");
      await eventually(async () => (guests("tcp-2").get(vm.id) ? true : undefined), 30_000, "the target to run the VM");
    } finally {
      clearInterval(beating);
      host.close();
    }
  }, 120_000);

  it("a post-copy migration completes with equal digests: the guest ran on the target before every page was in", async () => {
    const vm = await createVm(c, { name: "tcp-vm-4", cpu: 1, memMiB: 64, dirtyRateMiBps: 8, nodeId: nodes["tcp-1"] });
    await eventually(async () => (guests("tcp-1").get(vm.id) ? true : undefined), 15_000, "the source agent to start the guest");
    const m = await migrate(vm.id, "tcp-2", { technique: "post-copy" });
    expect(m.state, m.error).toBe("completed");
    expect(m.imageDigest.target).toBe(m.imageDigest.source);
    expect(m.metrics.resumeMs).toBeGreaterThan(0);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes["tcp-2"]);
    await eventually(async () => (guests("tcp-2").get(vm.id) && !existsSync(imagePath("tcp-1", vm.id)) ? true : undefined), 60_000, "the target to run the VM and the source to delete its image");
  }, 120_000);

  // Last: it takes the target agent down.
  it("the target agent dies mid-post-copy: the VM resumes on its source with the image its write log predicts", async () => {
    const vm = await createVm(c, { name: "tcp-vm-5", cpu: 1, memMiB: 64, dirtyRateMiBps: 8, nodeId: nodes["tcp-1"] });
    await eventually(async () => (guests("tcp-1").get(vm.id) ? true : undefined), 15_000, "the source agent to start the guest");
    // Most pages written (zero pages cross as headers only): 64 MiB at 40 Mbit/s is about ten seconds of post-copy.
    guests("tcp-1").get(vm.id)!.workload.writeNow(200_000);
    const { body } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: nodes["tcp-2"], technique: "post-copy", bandwidthMbps: 40 }).expect(202);
    await eventually(
      async () => ((await c.admin().get(`/api/v1/migrations/${body.id}`).expect(200)).body.live?.phase === "post-copy" ? true : undefined),
      60_000,
      "the migration to reach post-copy",
    );
    const source = guests("tcp-1").get(vm.id)!;
    const atSwitchover = source.workload.writes;
    await new Promise((r) => setTimeout(r, 1000));
    await agents["tcp-2"].close();
    const m = await ended(body.id);
    expect(m.state).toBe("failed");
    expect(m.error).toMatch(/resumed here at write \d+, with what it wrote on the target/);
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes["tcp-1"]);
    const resumed = guests("tcp-1").get(vm.id)!;
    resumed.workload.pause();
    expect(resumed.workload.writes).toBeGreaterThan(atSwitchover);
    expect(await resumed.image.digest()).toBe(await expectedImageDigest({ memMiB: 64, locality: agents["tcp-1"].app.get<AgentConfig>(AGENT_CONFIG).transfer.locality, ...resumed.workload.state }));
    resumed.workload.resume();
    const incoming = join(dir, "tcp-2", "incoming");
    expect(existsSync(incoming) ? readdirSync(incoming).filter((f) => f.startsWith(vm.id)) : []).toEqual([]);
  }, 120_000);
});
