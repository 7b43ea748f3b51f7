import { parseLocality, type LocalitySpec } from "@ferry/migration";
import { deriveSeed } from "@ferry/random";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedImageDigest } from "../../node-agent/src/guest/expected-image";
import { startAgentProcess, type AgentProcess } from "./support/agent-process";
import { CLEAN_LINK, DelayProxy, type LinkConditions } from "./support/delay-proxy";
import { TestController, createVm, eventually, nodeIdsByName, startController } from "./support/harness";
import { NetnsLab, type Link, type Namespace } from "./support/netns";
import { TcpProxy } from "./support/tcp-proxy";
import { TEST_REDIS_URL } from "./support/test-env";

const LOCALITY = "uniform";
/** Short, so the partition test ends in seconds; still far above any wait on a healthy link here. */
const STALL_TIMEOUT_MS = 3_000;
/** Low enough that the link, not this machine's CPU, sets the pace. */
const LINK_MBIT = 64;
const SLOW_LINK_MBIT = 40;
/** One-way delay of the proxied link: a 200 ms round trip. */
const DELAY_MS = 100;

interface Migration {
  state: string;
  error: string | null;
  progress: number;
  metrics: { downtimeMs: number; totalMs: number };
  bytesTransferred: number;
  imageDigest: { source: string; target: string };
}

/**
 * A controller in the root namespace and three tcp-mode agent processes, each in its own network namespace
 * (`ip netns exec`), reaching the controller and Redis through relays on their control links:
 * - "src" and "link" share a veth pair shaped by `tc ... tbf`; "link" advertises its end of it, so migrations
 *   from "src" to "link" cross that pair alone;
 * - "proxied" advertises a DelayProxy in the root namespace (on src's control link) in front of its data
 *   port, which adds delay, jitter and retransmission stalls.
 */
describe("migrations between agents in network namespaces (tcp mode, veth links, tbf, a delay proxy)", () => {
  let lab: NetnsLab;
  let c: TestController;
  let dir: string;
  let link: Link;
  let proxy: DelayProxy;
  const relays: TcpProxy[] = [];
  const agents: Record<string, AgentProcess> = {};
  const spaces: Record<string, Namespace> = {};
  let nodes: Record<string, string>;
  const locality = parseLocality(LOCALITY) as LocalitySpec;

  async function relay(ns: Namespace, url: string): Promise<string> {
    const u = new URL(url);
    const r = new TcpProxy(u.hostname, Number(u.port), ns.rootAddress);
    relays.push(r);
    await r.up();
    return `${u.protocol}//${ns.rootAddress}:${r.address.port}`;
  }

  async function startAgent(name: string, ns: Namespace, data: { host: string; port: number }): Promise<void> {
    agents[name] = startAgentProcess(ns, {
      PORT: "0",
      HOST: "0.0.0.0",
      FERRY_CONTROLLER_URL: await relay(ns, c.url),
      REDIS_URL: await relay(ns, TEST_REDIS_URL),
      FERRY_REDIS_PREFIX: c.config.redisPrefix,
      FERRY_AGENT_BOOTSTRAP_TOKEN: c.config.agentBootstrapToken,
      FERRY_NODE_NAME: name,
      FERRY_NODE_CPU: "16",
      FERRY_NODE_MEM_MIB: "65536",
      FERRY_AGENT_MODE: "tcp",
      FERRY_AGENT_DATA_DIR: join(dir, name),
      FERRY_AGENT_DATA_HOST: data.host,
      FERRY_AGENT_DATA_PORT: String(data.port),
      FERRY_GUEST_LOCALITY: LOCALITY,
      FERRY_TRANSFER_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS),
      LOG_LEVEL: "warn",
    });
  }

  beforeAll(async () => {
    lab = NetnsLab.open();
    dir = mkdtempSync(join(tmpdir(), "ferry-netns-e2e-"));
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 200 });
    for (const name of ["src", "link", "proxied"]) spaces[name] = lab.namespace();
    link = lab.link(spaces.src, spaces.link);
    lab.shape(link, LINK_MBIT);
    // The proxy listens where src reaches the root namespace; "proxied" listens on the same port in its namespace.
    proxy = new DelayProxy({ host: spaces.src.rootAddress, port: 0 }, { host: spaces.proxied.address, port: 0 });
    const proxied = await proxy.start();
    await startAgent("src", spaces.src, { host: spaces.src.address, port: 0 });
    await startAgent("link", spaces.link, { host: link.addresses[1], port: 0 });
    await startAgent("proxied", spaces.proxied, proxied);
    nodes = await nodeIdsByName(c, 3, { beating: true, timeoutMs: 90_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${Object.entries(agents).map(([n, a]) => `--- ${n}\n${a.output.join("")}`).join("\n")}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop();
    await proxy?.close();
    for (const r of relays) await r.down();
    await c?.close();
    lab?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startMigration(vmId: string, to: string): Promise<string> {
    const res = await c.admin().post("/api/v1/migrations").send({ vmId, targetNodeId: nodes[to], technique: "pre-copy" });
    if (res.status !== 202) throw new Error(`starting a migration to ${to}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  const get = async (id: string) => (await c.admin().get(`/api/v1/migrations/${id}`).expect(200)).body as Migration;

  const ended = (id: string, timeoutMs = 90_000) =>
    eventually(async () => {
      const m = await get(id);
      return m.state === "completed" || m.state === "failed" ? m : undefined;
    }, timeoutMs, "the migration to end");

  /** A running VM; `filled`: its guest has written over nearly all its memory (4 writes a page: 98% of pages). */
  async function vmOn(name: string, memMiB: number, vmName: string, filled = true) {
    const vm = await createVm(c, { name: vmName, cpu: 1, memMiB, dirtyRateMiBps: 4, nodeId: nodes[name] });
    await eventually(async () => ((await agents[name].guest(vm.id)) ? true : undefined), 15_000, "the source agent to start the guest");
    if (filled) await agents[name].guest(vm.id, memMiB * 256 * 4);
    return vm;
  }

  it("over a tbf-shaped veth pair, a pre-copy migration completes with equal digests at no more than the link's rate", async () => {
    const vm = await vmOn("src", 32, "netns-vm-1");
    const m = await ended(await startMigration(vm.id, "link"));
    expect(m.state, m.error ?? undefined).toBe("completed");
    expect(m.imageDigest.target).toBe(m.imageDigest.source);
    const mbps = (m.bytesTransferred * 8) / (m.metrics.totalMs * 1000);
    console.log(`tbf ${LINK_MBIT} Mbit/s: ${(m.bytesTransferred / 1048576).toFixed(1)} MiB in ${Math.round(m.metrics.totalMs)} ms = ${mbps.toFixed(1)} Mbit/s, downtime ${Math.round(m.metrics.downtimeMs)} ms`);
    // totalMs also holds the reservation and the digests, so the rate on the wire is somewhat above this.
    expect(mbps).toBeLessThan(LINK_MBIT * 1.05);
    expect(mbps).toBeGreaterThan(LINK_MBIT * 0.3);
    await eventually(async () => ((await agents.link.guest(vm.id)) && !(await agents.src.guest(vm.id)) ? true : undefined), 30_000, "the VM to run on the target only").catch((e: Error) => {
      throw new Error(`${e.message}\n${Object.entries(agents).map(([n, a]) => `--- ${n}\n${a.output.join("")}`).join("\n")}`);
    });
  }, 120_000);

  /** The VM is recorded on "src", its guest runs there on an image that is exactly its workload's; "link"/"proxied" keep nothing. */
  async function expectIntactOnSource(vm: { id: string; memMiB: number }, target: string): Promise<void> {
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes.src);
    const before = (await agents.src.guest(vm.id))!;
    expect(before.seed).toBe(deriveSeed(0, vm.id));
    expect(before.digest).toBe(await expectedImageDigest({ memMiB: vm.memMiB, locality, seed: before.seed, writes: before.writes }));
    const after = await eventually(
      async () => {
        const g = (await agents.src.guest(vm.id))!;
        return g.writes > before.writes ? g : undefined;
      },
      5_000,
      "the guest to keep running on its source",
    );
    expect(after.digest).toBe(await expectedImageDigest({ memMiB: vm.memMiB, locality, seed: after.seed, writes: after.writes }));
    expect(existsSync(join(dir, target, "vms", `${vm.id}.img`))).toBe(false);
    expect(await agents[target].guest(vm.id)).toBeNull();
  }

  /** Incoming images of the VM the target still holds. */
  function incoming(target: string, vmId: string): string[] {
    const path = join(dir, target, "incoming");
    return (existsSync(path) ? readdirSync(path) : []).filter((f) => f.startsWith(vmId));
  }

  it("through the delay proxy migrations complete; the delay adds a few round trips to total time and downtime, not one per page", async () => {
    const run = async (name: string, conditions: LinkConditions, memMiB: number, filled: boolean) => {
      proxy.conditions = conditions;
      const stalls = proxy.stalls;
      const vm = await vmOn("src", memMiB, `netns-vm-${name}`, filled);
      const m = await ended(await startMigration(vm.id, "proxied"));
      expect(m.state, m.error ?? undefined).toBe("completed");
      expect(m.imageDigest.target).toBe(m.imageDigest.source);
      console.log(`${name}: total ${Math.round(m.metrics.totalMs)} ms, downtime ${Math.round(m.metrics.downtimeMs)} ms, ${proxy.stalls - stalls} stalls`);
      return m.metrics;
    };
    // Small, barely written VMs: few bytes and quick digests, so the round trips stand out. The first
    // migration to a fresh agent process is slower (its code warms up): it is not measured.
    await run("warm-up", CLEAN_LINK, 4, false);
    const clean = await run("clean", CLEAN_LINK, 4, false);
    const delayed = await run("delayed", { ...CLEAN_LINK, delayMs: DELAY_MS, jitterMs: 10 }, 4, false);
    const rtt = 2 * DELAY_MS;
    // Round trips of the session itself, about 4.5: before the first page (the Challenge one way, Hello/Ready,
    // a timed Sync; the proxy itself answers the connect) and in the pause (the state's Sync, the digest).
    // Pages stream without waiting for answers.
    expect(delayed.totalMs - clean.totalMs).toBeGreaterThan(3 * rtt);
    expect(delayed.downtimeMs - clean.downtimeMs).toBeGreaterThan(1.5 * rtt);
    expect(delayed.totalMs - clean.totalMs).toBeLessThan(30 * rtt);
    // A full image through a lossy link: some chunks wait a retransmission timeout; the bytes arrive intact.
    const lossy = await run("lossy", { ...CLEAN_LINK, delayMs: DELAY_MS, jitterMs: 10, stallChance: 0.05, stallMs: 200 }, 8, true);
    expect(lossy.totalMs).toBeGreaterThan(5 * rtt);
  }, 240_000);

  it("a connection reset mid-transfer fails the migration at once: the VM runs on, intact, on its source; the target keeps nothing", async () => {
    proxy.conditions = { ...CLEAN_LINK, resetAfterBytes: 2 << 20 };
    const resets = proxy.resets;
    const vm = await vmOn("src", 8, "netns-vm-reset");
    const m = await ended(await startMigration(vm.id, "proxied"));
    proxy.conditions = CLEAN_LINK;
    expect(proxy.resets).toBe(resets + 1);
    expect(m.state).toBe("failed");
    expect(m.error).toMatch(/ECONNRESET|closed/);
    await expectIntactOnSource({ id: vm.id, memMiB: 8 }, "proxied");
    await eventually(async () => (incoming("proxied", vm.id).length === 0 ? true : undefined), 10_000, "the target to discard its incoming image");
  }, 120_000);

  it("a partition during pre-copy (the veth dropped) fails the migration: the VM runs on, intact, on its source; the target keeps nothing", async () => {
    lab.shape(link, SLOW_LINK_MBIT);
    const vm = await vmOn("src", 64, "netns-vm-partition");
    const id = await startMigration(vm.id, "link");
    await eventually(async () => ((await get(id)).progress > 0.1 ? true : undefined), 30_000, "pre-copy to be under way");
    const droppedAt = performance.now();
    lab.setEnd(link, 0, false);
    try {
      const m = await ended(id, 60_000);
      const failedAfterMs = performance.now() - droppedAt;
      expect(m.state).toBe("failed");
      expect(m.error).toMatch(/stalled/);
      await expectIntactOnSource({ id: vm.id, memMiB: 64 }, "link");
      // The target learns of it by keepalive: the stall timeout, then ten probes a second apart.
      await eventually(async () => (incoming("link", vm.id).length === 0 ? true : undefined), 30_000, "the target to discard its incoming image");
      const cleanedAfterMs = performance.now() - droppedAt;
      console.log(`partition: migration failed ${Math.round(failedAfterMs)} ms after the drop, the target discarded its image after ${Math.round(cleanedAfterMs)} ms`);
    } finally {
      lab.setEnd(link, 0, true);
    }
  }, 120_000);

  it("a target cut off before the migration connects fails it within the stall timeout: the VM stays, intact, on its source", async () => {
    const vm = await vmOn("src", 8, "netns-vm-unreachable");
    // The target's end down: src's SYNs go into the veth and are dropped, no error comes back.
    lab.setEnd(link, 1, false);
    try {
      const startedAt = performance.now();
      const m = await ended(await startMigration(vm.id, "link"), 60_000);
      expect(m.state).toBe("failed");
      expect(m.error).toMatch(/no answer in 3000 ms/);
      expect(performance.now() - startedAt).toBeLessThan(STALL_TIMEOUT_MS + 15_000);
    } finally {
      lab.setEnd(link, 1, true);
    }
    await expectIntactOnSource({ id: vm.id, memMiB: 8 }, "link");
  }, 120_000);
});
