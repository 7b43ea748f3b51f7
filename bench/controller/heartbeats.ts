/**
 * How many heartbeats per second one controller process absorbs. Starts a controller (its own process, its
 * own database and Redis prefix), registers N nodes with V VMs each, then sends heartbeats (each with its
 * node's V VM usages) from C concurrent senders for D seconds, and prints JSON: throughput, latency
 * percentiles, and the node and VM samples that reached PostgreSQL. Each node sends with its own agent
 * credential, as agents do, so the credential lookup is part of what is measured.
 *
 *   npm run -s bench:heartbeats -- [--nodes 2000] [--vms 0] [--concurrency 64] [--seconds 10]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { Redis } from "ioredis";
import { dropDatabase, ensureDatabase, applyMigrations, repoRoot } from "../../apps/controller/src/database/provision";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "2000" },
    vms: { type: "string", default: "0" },
    concurrency: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" },
  },
});
const nodes = Number(values.nodes);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const vmsPerNode = Number(values.vms);
if (![nodes, concurrency, seconds].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(vmsPerNode) && vmsPerNode >= 0)) {
  console.error("bench:heartbeats: --nodes, --concurrency and --seconds must be positive integers, --vms a whole number");
  process.exit(2);
}

const port = 3990;
const db = `postgresql://postgres@127.0.0.1:5432/ferry_bench_heartbeats`;
const prefix = "ferry-bench-hb";
const token = randomBytes(16).toString("hex");
const api = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

/** CPU seconds a process has used (user + system), from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main() {
  await dropDatabase(db);
  await ensureDatabase(db);
  await applyMigrations(db);
  const controller = spawn(process.execPath, [...(process.env.FERRY_BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), "-r", "@swc-node/register", "apps/controller/src/main.ts"], {
    cwd: repoRoot(__dirname),
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: db, FERRY_REDIS_PREFIX: prefix, FERRY_ADMIN_TOKEN: token, LOG_LEVEL: "warn" },
    stdio: "inherit",
  });
  try {
    for (;;) {
      if (await fetch(`${api}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const ids: string[] = [];
    const credentials = new Map<string, string>();
    for (let i = 0; i < nodes; i++) {
      const res = await fetch(`${api}/api/v1/agents/register`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: `bench-${i}`, capacity: { cpu: 32, memMiB: 131072 }, power: { idleWatts: 100, peakWatts: 300 } }),
      });
      const { nodeId, credential } = (await res.json()) as { nodeId: string; credential: string };
      ids.push(nodeId);
      credentials.set(nodeId, credential);
    }
    const pg = new Client({ connectionString: db });
    await pg.connect();
    // VMs go straight into the table: what is measured is the heartbeat path, not VM creation.
    const vmRows = await pg.query<{ id: string; nodeId: string }>(
      `INSERT INTO "Vm" (id, name, cpu, "memMiB", "nodeId", "updatedAt")
       SELECT gen_random_uuid(), 'bench-vm-' || n.i || '-' || v.j, 1, 1024, (${"$"}1::uuid[])[n.i], now()
         FROM generate_series(1, cardinality(${"$"}1::uuid[])) AS n(i), generate_series(1, ${"$"}2::int) AS v(j)
       RETURNING id, "nodeId"`,
      [ids, vmsPerNode],
    );
    const vmsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const r of vmRows.rows) vmsOf.get(r.nodeId)!.push(r.id);
    const bodies = new Map(
      ids.map((id) => {
        const vms = vmsOf.get(id)!;
        const usage = vms.map((vmId, i) => ({ vmId, cpuFraction: 0.3, memUsedMiB: 700, dirtyRateMiBps: 12, peerTxMbps: { [vms[(i + 1) % vms.length]!]: 40 } }));
        return [id, JSON.stringify({ cpuLoad: 0.42, memLoad: 0.6, watts: 210, netTxMbps: 120, netRxMbps: 80, vms: usage })];
      }),
    );
    const latencies: number[] = [];
    let errors = 0;
    const cpuBefore = cpuSeconds(controller.pid!);
    const end = Date.now() + seconds * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const id = ids[next++ % ids.length];
          const t = performance.now();
          const res = await fetch(`${api}/api/v1/agents/nodes/${id}/heartbeat`, {
            method: "POST",
            headers: { ...headers, authorization: `Bearer ${credentials.get(id!)}` },
            body: bodies.get(id!)!,
          });
          await res.arrayBuffer();
          if (res.ok) latencies.push(performance.now() - t);
          else errors++;
        }
      }),
    );
    const cpuUsed = cpuSeconds(controller.pid!) - cpuBefore;
    await new Promise((r) => setTimeout(r, 3_000));
    const stored = Number((await pg.query('SELECT count(*) FROM "NodeSample"')).rows[0].count);
    const storedVm = Number((await pg.query('SELECT count(*) FROM "VmSample"')).rows[0].count);
    await pg.end();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2));
    console.log(
      JSON.stringify(
        {
          nodes,
          vmsPerNode,
          concurrency,
          seconds,
          heartbeats: latencies.length,
          errors,
          perSecond: Math.round(latencies.length / seconds),
          latencyMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
          samplesInPostgres: stored,
          vmSamplesInPostgres: storedVm,
          // The load generator shares the machine, so throughput is a floor; CPU per heartbeat is not.
          controllerCpuMsPerHeartbeat: Number(((cpuUsed * 1000) / latencies.length).toFixed(3)),
          heartbeatsPerControllerCoreSecond: Math.round(latencies.length / cpuUsed),
        },
        null,
        2,
      ),
    );
  } finally {
    controller.kill("SIGTERM");
    await new Promise((r) => controller.once("exit", r));
    await dropDatabase(db);
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((e) => {
  console.error(`bench:heartbeats: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
