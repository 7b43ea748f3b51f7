import { PrismaPg } from "@prisma/adapter-pg";
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { dropDatabase, ensureDatabase, repoRoot } from "../src/database/provision";
import { PrismaClient } from "../src/generated/prisma/client";
import { LeadershipLost, checkTerm } from "../src/leader/lease";
import { freePort } from "../../../scripts/local-services";
import { deleteKeys, eventually } from "./support/harness";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "./support/test-env";

const LEASE_MS = 2_000;
const RENEW_MS = 500;

interface Replica {
  name: string;
  proc: ChildProcess;
  url: string;
  output: string[];
}

async function get(url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
}

/** 1 or 0 from the replica's /metrics; undefined while it does not answer. */
async function leads(r: Replica): Promise<number | undefined> {
  try {
    const m = /^ferry_leader (\d)$/m.exec((await get(`${r.url}/metrics`)).text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const exited = (p: ChildProcess) =>
  new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once("exit", () => resolve())));

/**
 * Two real controller processes (main.ts, as deployed) on one database and one Redis prefix, with a 2 s lease
 * renewed every 0.5 s: one leads, both serve the API, and when the leader is killed the other takes over.
 */
describe("two controller replicas", () => {
  const id = randomUUID().slice(0, 8);
  const dbUrl = new URL(TEST_SERVER_URL);
  dbUrl.pathname = `/ferry_test_${id}`;
  const prefix = `ferry-test-${id}`;
  const token = randomBytes(16).toString("hex");
  const replicas: Replica[] = [];
  let prisma: PrismaClient;

  async function startReplica(name: string): Promise<Replica> {
    const port = await freePort();
    const proc = spawn(process.execPath, ["-r", "@swc-node/register", join("apps", "controller", "src", "main.ts")], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: dbUrl.toString(),
        REDIS_URL: TEST_REDIS_URL,
        FERRY_REDIS_PREFIX: prefix,
        FERRY_ADMIN_TOKEN: token,
        FERRY_LEADER_LEASE_MS: String(LEASE_MS),
        FERRY_LEADER_RENEW_MS: String(RENEW_MS),
        FERRY_HEARTBEAT_TIMEOUT_MS: "1000",
        FERRY_RECONCILE_INTERVAL_MS: "200",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const r: Replica = { name, proc, url: `http://127.0.0.1:${port}`, output: [] };
    proc.stdout!.on("data", (d: Buffer) => r.output.push(d.toString()));
    proc.stderr!.on("data", (d: Buffer) => r.output.push(d.toString()));
    replicas.push(r);
    return r;
  }

  beforeAll(async () => {
    await ensureDatabase(dbUrl.toString(), inject("databaseTemplate"));
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: dbUrl.toString() }) });
    const started = await Promise.all([startReplica("a"), startReplica("b")]);
    for (const r of started) {
      await eventually(
        async () => {
          if (r.proc.exitCode !== null) throw new Error(`replica ${r.name} exited:\n${r.output.join("")}`);
          return (await get(`${r.url}/health`).catch(() => ({ status: 0 }))).status === 200 ? true : undefined;
        },
        90_000,
        `replica ${r.name} to answer /health`,
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) {
      r.proc.kill("SIGTERM");
      await exited(r.proc);
    }
    await prisma?.$disconnect();
    await dropDatabase(dbUrl.toString());
    await deleteKeys(prefix);
  });

  it("one leads and both serve the API; killed, the leader is replaced within the lease and its epoch is fenced off; stopped, it hands over", async () => {
    const roles = await eventually(async () => {
      const r = await Promise.all(replicas.map(leads));
      return r.every((x) => x !== undefined) && r[0]! + r[1]! === 1 ? r : undefined;
    }, 10_000, "exactly one leader");
    const leader = replicas[roles.indexOf(1)]!;
    const follower = replicas[roles.indexOf(0)]!;
    // Steady: the follower does not take the lease while the leader renews it.
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, RENEW_MS / 2));
      expect(await Promise.all([leads(leader), leads(follower)])).toEqual([1, 0]);
    }
    for (const r of replicas) expect((await get(`${r.url}/api/v1/nodes`, token)).status).toBe(200);
    const old = await prisma.lease.findUniqueOrThrow({ where: { name: "controller" } });
    expect(old.holder).toContain(`/${leader.proc.pid}/`);

    leader.proc.kill("SIGKILL");
    const killedAt = Date.now();
    await exited(leader.proc);
    const lastLease = await prisma.lease.findUniqueOrThrow({ where: { name: "controller" } });
    await eventually(async () => ((await leads(follower)) === 1 ? true : undefined), 3 * LEASE_MS, "the follower to take over");
    const now = await prisma.lease.findUniqueOrThrow({ where: { name: "controller" } });
    // The dead leader's last renewal ran at most one lease past the kill, and the follower claimed the lease when
    // it ran out (the slack is timer and process latency on a busy machine).
    expect(lastLease.expiresAt.getTime() - killedAt).toBeLessThanOrEqual(LEASE_MS);
    expect(now.acquiredAt.getTime() - killedAt).toBeLessThan(LEASE_MS + 1_000);
    expect(now).toMatchObject({ epoch: old.epoch + 1 });
    expect(now.holder).toContain(`/${follower.proc.pid}/`);

    // A write fenced with the dead leader's epoch is refused and leaves nothing behind.
    const stale = { holder: old.holder, epoch: old.epoch, expiresAt: old.expiresAt };
    await expect(
      prisma.$transaction(async (tx) => {
        await checkTerm(tx, stale);
        await tx.auditLog.create({ data: { actor: "test:stale-leader", action: "test.write", targetType: "test" } });
      }),
    ).rejects.toThrow(LeadershipLost);
    expect(await prisma.auditLog.count({ where: { actor: "test:stale-leader" } })).toBe(0);

    // The new leader runs the loops: a node registered through it and never heard from again is failed.
    const reg = await fetch(`${follower.url}/api/v1/agents/register`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "silent", labels: {}, capacity: { cpu: 4, memMiB: 4096 }, power: { idleWatts: 100, peakWatts: 200 } }),
    });
    expect(reg.status).toBe(200);
    const { nodeId } = (await reg.json()) as { nodeId: string };
    await eventually(async () => ((await prisma.node.findUniqueOrThrow({ where: { id: nodeId } })).state === "failed" ? true : undefined), 10_000, "the new leader to fail the silent node");

    // Stopped with SIGTERM, a leader hands the lease over: it expires at once instead of a lease later.
    follower.proc.kill("SIGTERM");
    await exited(follower.proc);
    const released = await prisma.lease.findUniqueOrThrow({ where: { name: "controller" } });
    expect(released).toMatchObject({ holder: now.holder, epoch: now.epoch });
    expect(released.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
  }, 60_000);
});
