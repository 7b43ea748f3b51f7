// CI check of the README's first command: `npm start` brings a cluster up, a migration requested through
// the API completes with its metrics, and Ctrl-C (SIGINT to the process group) stops everything cleanly.
// Runs on its own database and Redis prefix, removed afterwards.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const port = 3917;
const database = "ferry_ci_start";
const prefix = "ferry-ci-start";
const token = randomBytes(24).toString("hex");
const api = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${database}`,
  FERRY_REDIS_PREFIX: prefix,
  FERRY_ADMIN_TOKEN: token,
};

async function cleanup() {
  const { Client } = require("pg");
  const pg = new Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await pg.end();
  const { Redis } = require("ioredis");
  const redis = new Redis("redis://127.0.0.1:6379");
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

const call = async (method, path, body) => {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

const deadline = (ms, what) => {
  const at = Date.now() + ms;
  return () => {
    if (Date.now() > at) throw new Error(`timed out: ${what}`);
  };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

await cleanup();
const started = Date.now();
const child = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
let output = "";
child.stdout.on("data", (d) => (output += d));
child.stderr.on("data", (d) => (output += d));
const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));

try {
  const ready = deadline(180_000, "npm start to print that the cluster is running");
  while (!output.includes("Press Ctrl-C to stop.")) {
    ready();
    if (child.exitCode !== null) throw new Error("npm start exited early");
    await sleep(250);
  }
  console.log(`start-smoke: cluster up after ${Math.round((Date.now() - started) / 1000)} s`);
  if (!output.includes(`${api}/ui/`)) throw new Error("npm start did not print the dashboard URL");
  const ui = await fetch(`${api}/ui/`);
  if (!ui.ok || !(await ui.text()).includes("importmap")) throw new Error(`GET /ui/: ${ui.status}`);
  const nodes = (await call("GET", "/api/v1/nodes")).items;
  const vm = (await call("GET", "/api/v1/vms?limit=1")).items[0];
  const target = nodes.find((n) => n.id !== vm.nodeId && n.state === "active");
  const m = await call("POST", "/api/v1/migrations", { vmId: vm.id, targetNodeId: target.id });
  const done = deadline(60_000, `migration ${m.id} to complete`);
  let got = m;
  while (got.state !== "completed") {
    done();
    if (["failed", "cancelled"].includes(got.state)) throw new Error(`migration ended ${got.state}: ${got.error}`);
    await sleep(250);
    got = await call("GET", `/api/v1/migrations/${m.id}`);
  }
  const moved = await call("GET", `/api/v1/vms/${vm.id}`);
  if (moved.nodeId !== target.id || typeof got.metrics?.downtimeMs !== "number") throw new Error(`unexpected result ${JSON.stringify(got)}`);
  console.log(`start-smoke: migration completed in ${Math.round(got.metrics.totalMs)} ms (downtime ${Math.round(got.metrics.downtimeMs)} ms)`);
  if (moved.workload?.kind !== "trace") throw new Error(`the seeded VM does not replay a trace: ${JSON.stringify(moved.workload)}`);
  const history = deadline(30_000, "usage history of the migrated VM");
  let points = [];
  while (points.length === 0) {
    history();
    await sleep(500);
    points = (await call("GET", `/api/v1/vms/${vm.id}/samples?step=10s`)).points;
  }
  const nodePoints = (await call("GET", `/api/v1/nodes/${target.id}/samples?step=10s`)).points;
  if (typeof points[0].cpuFraction !== "number" || nodePoints.length === 0) throw new Error(`unexpected history ${JSON.stringify({ points, nodePoints })}`);
  console.log(`start-smoke: usage history recorded (VM CPU ${(points.at(-1).cpuFraction * 100).toFixed(1)} % of its vCPUs)`);


  process.kill(-child.pid, "SIGINT");
  const result = await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000, null).unref())]);
  if (!result) throw new Error("npm start did not stop within 30 s of Ctrl-C");
  // npm re-raises the SIGINT it got once its script has exited: both that and exit code 0 are a clean stop.
  if (!(result.code === 0 || result.signal === "SIGINT") || !output.includes("ferry: stopped")) {
    throw new Error(`npm start exited with ${JSON.stringify(result)} after Ctrl-C`);
  }
  const stillUp = await fetch(`${api}/health`).then(() => true, () => false);
  if (stillUp) throw new Error("the controller still answers after Ctrl-C");
  console.log("start-smoke: stopped cleanly on Ctrl-C");
} catch (e) {
  console.error(`start-smoke: FAILED: ${e.message}\n--- npm start output ---\n${output}`);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  process.exitCode = 1;
} finally {
  await cleanup();
}
