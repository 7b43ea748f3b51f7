import type { ClaimedMigration, ProgressReport, Technique } from "@ferry/protocol";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestHost } from "../guest/guest-host";
import { DataServer } from "../transfer/data-server";
import { MigrationAborted, VmStaysOnSource } from "./executor";
import { TcpExecutor } from "./tcp-executor";

const MIGRATION_ID = "00000000-0000-4000-8000-000000000001";
const VM_ID = "00000000-0000-4000-8000-000000000002";
const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;

function migration(technique: Technique, dataAddress: string, techniqueOptions: Record<string, unknown> = {}): ClaimedMigration {
  return {
    id: MIGRATION_ID,
    technique,
    techniqueOptions,
    vm: { id: VM_ID, name: "vm", cpu: 1, memMiB: 32, dirtyRateMiBps: 8 },
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
  const secrets = async (id: string) => (id === MIGRATION_ID ? "secret" : Promise.reject(new Error("not here")));
  const server = new DataServer(target, secrets, { port: 0, host: "127.0.0.1", advertiseHost: "127.0.0.1" });
  cleanup.push(() => server.close(), () => source.close(), () => target.close());
  const address = await server.address();
  const guest = source.guestFor({ id: VM_ID, memMiB: 32, dirtyRateMiBps });
  guest.workload.writeNow(20_000);
  return { source, target, address, executor: new TcpExecutor(source, { compress, bandwidthMbps: null }) };
}

function hooks(atCommit?: (abort: AbortController) => void) {
  const abort = new AbortController();
  const reports: ProgressReport[] = [];
  return {
    reports,
    signal: abort.signal,
    progress: async (r: ProgressReport) => void reports.push(r),
    beforeSwitchover: async () => atCommit?.(abort),
  };
}

describe("TcpExecutor between two agents' guests", () => {
  it.each([
    { technique: "pre-copy" as const, options: {}, compress: false },
    { technique: "pre-copy" as const, options: { delta: true, autoConverge: true }, compress: false },
    { technique: "pre-copy" as const, options: {}, compress: true },
    { technique: "non-live" as const, options: {}, compress: false },
  ])("$technique $options compress=$compress: equal digests, the target runs the VM once recorded, the source lets go", async ({ technique, options, compress }) => {
    const n = await twoNodes(compress);
    const h = hooks();
    const result = await n.executor.run(migration(technique, n.address, options), h);
    expect(result.imageDigest!.source).toMatch(/^[0-9a-f]{64}$/);
    expect(result.imageDigest!.target).toBe(result.imageDigest!.source);
    expect(result.metrics.pagesTransferred).toBeGreaterThanOrEqual(8192);
    expect(result.metrics.downtimeMs).toBeGreaterThan(0);
    expect(h.reports.length).toBeGreaterThan(0);
    expect(n.target.get(VM_ID)).toBeUndefined();
    const sourcePath = n.source.get(VM_ID)!.image.path;
    await result.settle!(true);
    expect(n.source.get(VM_ID)).toBeUndefined();
    expect(existsSync(sourcePath)).toBe(false);
    const moved = n.target.get(VM_ID)!;
    expect(moved.workload.writes).toBeGreaterThanOrEqual(20_000);
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

  it("post-copy is refused before anything moves", async () => {
    const n = await twoNodes();
    await expect(n.executor.run(migration("post-copy", n.address), hooks())).rejects.toThrow(/does not run over TCP yet/);
  });
});
