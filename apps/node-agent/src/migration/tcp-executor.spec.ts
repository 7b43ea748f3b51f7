import type { ClaimedMigration, ProgressReport, Technique } from "@ferry/protocol";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expectedImageDigest } from "../guest/expected-image";
import { GuestHost } from "../guest/guest-host";
import type { GuestWorkload, WorkloadState } from "../guest/guest-workload";
import { DataServer } from "../transfer/data-server";
import { MigrationAborted, VmStaysOnSource } from "./executor";
import { TcpExecutor } from "./tcp-executor";
import { until } from "../../test/support/until";

const MIGRATION_ID = "00000000-0000-4000-8000-000000000001";
const VM_ID = "00000000-0000-4000-8000-000000000002";
const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;

function migration(technique: Technique, dataAddress: string, techniqueOptions: Record<string, unknown> = {}, postCopyRecovery = true): ClaimedMigration {
  return {
    id: MIGRATION_ID,
    technique,
    techniqueOptions,
    vm: { id: VM_ID, name: "vm", cpu: 1, memMiB: 32, dirtyRateMiBps: 8, postCopyRecovery },
    sourceNodeId: "00000000-0000-4000-8000-000000000003",
    target: { id: "00000000-0000-4000-8000-000000000004", name: "t", dataAddress },
    sla: { maxDowntimeMs: null, maxTotalMs: null },
    bandwidthMbps: null,
    transferSecret: "secret",
  };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A source node and a target node in this process, each with its own data dir. */
async function twoNodes(compress = false, dirtyRateMiBps = 8) {
  const dir = mkdtempSync(join(tmpdir(), "ferry-tcp-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const source = new GuestHost({ dataDir: join(dir, "src"), locality });
  const target = new GuestHost({ dataDir: join(dir, "dst"), locality });
  const secrets = async (id: string) => (id === MIGRATION_ID ? { secret: "secret", vmId: VM_ID, memMiB: 32 } : Promise.reject(new Error("not here")));
  const server = new DataServer(target, secrets, { port: 0, host: "127.0.0.1", advertiseHost: "127.0.0.1" });
  cleanup.push(() => server.close(), () => source.close(), () => target.close());
  const address = await server.address();
  const guest = source.guestFor({ id: VM_ID, memMiB: 32, dirtyRateMiBps });
  guest.workload.writeNow(20_000);
  return { dir, source, target, server, address, executor: new TcpExecutor(source, { compress, bandwidthMbps: null }) };
}

function hooks(atCommit?: (abort: AbortController) => void) {
  const abort = new AbortController();
  const reports: ProgressReport[] = [];
  return {
    reports,
    signal: abort.signal,
    progress: async (r: ProgressReport) => void reports.push(r),
    beforeSwitchover: async () => atCommit?.(abort),
    onShare: () => undefined,
  };
}

describe("TcpExecutor between two agents' guests", () => {
  it.each([
    { technique: "pre-copy" as const, options: {}, compress: false },
    { technique: "pre-copy" as const, options: { delta: true, autoConverge: true }, compress: false },
    { technique: "pre-copy" as const, options: {}, compress: true },
    { technique: "non-live" as const, options: {}, compress: false },
    { technique: "post-copy" as const, options: {}, compress: false },
    { technique: "post-copy" as const, options: { prepaging: "none" }, compress: true },
    { technique: "hybrid" as const, options: { downtimeLimitMs: 1 }, compress: false },
  ])("$technique $options compress=$compress: equal digests, the target runs the VM once recorded, the source lets go", async ({ technique, options, compress }) => {
    const n = await twoNodes(compress);
    n.source.get(VM_ID)!.workload.start();
    const h = hooks();
    const result = await n.executor.run(migration(technique, n.address, options), h);
    expect(result.imageDigest!.source).toMatch(/^[0-9a-f]{64}$/);
    expect(result.imageDigest!.target).toBe(result.imageDigest!.source);
    expect(result.metrics.pagesTransferred).toBeGreaterThanOrEqual(8192);
    expect(result.metrics.downtimeMs).toBeGreaterThan(0);
    expect(h.reports.length).toBeGreaterThan(0);
    expect(n.target.get(VM_ID)).toBeUndefined();
    const atDigest = n.source.get(VM_ID)!.workload.state;
    expect(result.imageDigest!.source).toBe(await expectedImageDigest({ memMiB: 32, locality, ...atDigest }));
    const sourcePath = n.source.get(VM_ID)!.image.path;
    await result.settle!(true);
    expect(n.source.get(VM_ID)).toBeUndefined();
    expect(existsSync(sourcePath)).toBe(false);
    const moved = n.target.get(VM_ID)!;
    expect(moved.workload.writes).toBeGreaterThanOrEqual(20_000);
  });

  it.each([
    { from: 40, to: 100_000, change: "raised" },
    { from: 100_000, to: 40, change: "lowered" },
  ])("a share $change from $from to $to Mbit/s at the first progress report sets the rate of what is left", async ({ from, to }) => {
    const n = await twoNodes();
    let atChange: { ms: number; bytes: number } | undefined;
    let listener: ((mbps: number) => void) | undefined;
    const h = {
      ...hooks(),
      progress: async (r: ProgressReport) => {
        if (atChange) return;
        atChange = { ms: performance.now(), bytes: r.bytesSent ?? 0 };
        listener!(to);
      },
      onShare: (l: (mbps: number) => void) => (listener = l),
    };
    const result = await n.executor.run({ ...migration("pre-copy", n.address), bandwidthMbps: from }, h);
    const afterMs = performance.now() - atChange!.ms;
    const left = result.bytesTransferred - atChange!.bytes;
    const msAt = (mbps: number) => (left * 8) / (mbps * 1000);
    // Megabytes are left after the first batch: seconds at 40 Mbit/s, milliseconds at 100 Gbit/s.
    expect(left).toBeGreaterThan(4_000_000);
    if (to < from) expect(afterMs).toBeGreaterThan(0.8 * msAt(to));
    else expect(afterMs).toBeLessThan(0.5 * msAt(from));
    expect(result.imageDigest!.target).toBe(result.imageDigest!.source);
    await result.settle!(false);
  });

  it("XBZRLE deltas against pages the workload keeps rewriting arrive intact (several capped rounds)", async () => {
    const n = await twoNodes(false, 40);
    let deltaPages = 0;
    const capped = new TcpExecutor(n.source, { compress: false, bandwidthMbps: 200, onTransferred: (r) => (deltaPages = r.counts.deltaPages) });
    n.source.get(VM_ID)!.workload.start();
    // A downtime limit no round can meet: four rounds, the last ones re-sending cached pages as deltas.
    const result = await capped.run(migration("pre-copy", n.address, { delta: true, downtimeLimitMs: 1, maxRounds: 4 }), hooks());
    expect(result.imageDigest!.target).toBe(result.imageDigest!.source);
    expect(deltaPages).toBeGreaterThan(0);
    await result.settle!(false);
  });

  it("a refused completion resumes the guest on its source and discards the target's copy", async () => {
    const n = await twoNodes();
    const result = await n.executor.run(migration("pre-copy", n.address), hooks());
    await result.settle!(false);
    expect(n.target.get(VM_ID)).toBeUndefined();
    const before = n.source.get(VM_ID)!.workload.writes;
    await new Promise((r) => setTimeout(r, 100));
    expect(n.source.get(VM_ID)!.workload.writes).toBeGreaterThan(before);
  });

  it("a digest mismatch keeps the VM on its source with its image, and reports both digests", async () => {
    const n = await twoNodes();
    n.target.corruptBeforeDigest = (image) => image.writeAt(12345, Buffer.from([0xff]));
    const err = await n.executor.run(migration("pre-copy", n.address), hooks()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmStaysOnSource);
    const { source, target } = (err as VmStaysOnSource).imageDigest!;
    expect(source).not.toBe(target);
    expect(existsSync(n.source.get(VM_ID)!.image.path)).toBe(true);
    expect(n.target.get(VM_ID)).toBeUndefined();
  });

  it("a VM whose guest this node has not started or adopted yet is not migrated (an empty image would lose its memory)", async () => {
    const n = await twoNodes();
    n.source.release(VM_ID);
    await expect(n.executor.run(migration("pre-copy", n.address), hooks())).rejects.toThrow(/no running guest on this node yet/);
    expect(n.source.get(VM_ID)).toBeUndefined();
    expect(existsSync(join(n.dir, "dst", "incoming")) ? readdirSync(join(n.dir, "dst", "incoming")) : []).toEqual([]);
  });

  it("a cancel at the commit point leaves the VM on its source", async () => {
    const n = await twoNodes();
    const err = await n.executor.run(migration("pre-copy", n.address), hooks((abort) => abort.abort("cancelled"))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationAborted);
    expect(n.source.get(VM_ID)).toBeDefined();
  });

  it("a wrong transfer secret is refused before the target opens an image: the VM stays on its source", async () => {
    const n = await twoNodes();
    const err = await n.executor.run({ ...migration("pre-copy", n.address), transferSecret: "not the secret" }, hooks()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmStaysOnSource);
    expect((err as Error).message).toMatch(/wrong transfer proof/);
    expect(n.target.get(VM_ID)).toBeUndefined();
    expect(existsSync(n.source.get(VM_ID)!.image.path)).toBe(true);
  });

  it.each([
    { recovery: true, expect: "the writes it made there" },
    { recovery: false, expect: "its state at the switchover" },
  ])("post-copy, target killed mid-transfer (reverse stream $recovery): the VM resumes on its source with $expect", async ({ recovery }) => {
    const n = await twoNodes(false, 8);
    const capped = new TcpExecutor(n.source, { compress: false, bandwidthMbps: 60 });
    n.source.get(VM_ID)!.workload.start();
    const started: { state: WorkloadState; guest: GuestWorkload }[] = [];
    const startIncoming = n.target.startIncoming.bind(n.target);
    n.target.startIncoming = (hello, image, state, missing, onFault) => {
      const guest = startIncoming(hello, image, state, missing, onFault);
      started.push({ state, guest });
      return guest;
    };
    const h = hooks();
    const run = capped.run(migration("post-copy", n.address, {}, recovery), h).catch((e: unknown) => e);
    await until(() => started.length === 1 && started[0].guest.writes > started[0].state.writes + 20);
    await n.server.close();
    const err = await run;
    expect(err).toBeInstanceOf(VmStaysOnSource);
    expect(n.target.get(VM_ID)).toBeUndefined();
    const resumed = n.source.get(VM_ID)!;
    const at = resumed.workload.state.writes;
    const [{ state: atSwitchover, guest: onTarget }] = started;
    if (recovery) {
      // All but the target's last (at most 20 ms of) writes came back.
      expect(at).toBeGreaterThan(atSwitchover.writes);
      expect(at).toBeLessThanOrEqual(onTarget.writes);
    } else expect(at).toBe(atSwitchover.writes);
    resumed.workload.pause();
    expect(await resumed.image.digest()).toBe(await expectedImageDigest({ memMiB: 32, locality, ...resumed.workload.state }));
    expect(readdirSync(join(n.dir, "dst", "incoming")).filter((f) => f.endsWith(".img"))).toEqual([]);
  });

  it("post-copy: a refused completion resumes the guest on its source with what it wrote on the target", async () => {
    const n = await twoNodes();
    const result = await n.executor.run(migration("post-copy", n.address), hooks());
    const atDigest = n.source.get(VM_ID)!.workload.state;
    await result.settle!(false);
    const resumed = n.source.get(VM_ID)!;
    expect(resumed.workload.state.writes).toBe(atDigest.writes);
    await until(() => resumed.workload.writes > atDigest.writes);
    expect(n.target.get(VM_ID)).toBeUndefined();
  });
});
