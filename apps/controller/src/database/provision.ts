import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";

/** The repository root (where prisma.config.ts lives), found from this file. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "prisma.config.ts"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root (prisma.config.ts)");
    dir = up;
  }
  return dir;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Run SQL against the server's maintenance database (to create or drop databases). */
export async function withServer<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Create the database named in `url` when it does not exist (optionally as a copy of a template). */
export async function ensureDatabase(url: string, template?: string): Promise<boolean> {
  const name = databaseName(url);
  return withServer(url, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${quote(name)}${template ? ` TEMPLATE ${quote(template)}` : ""}`);
    return true;
  });
}

export async function dropDatabase(url: string): Promise<void> {
  await withServer(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quote(databaseName(url))} WITH (FORCE)`));
}

/** Apply pending migrations with the Prisma CLI (`prisma migrate deploy`), the one way the schema changes. */
export async function applyMigrations(url: string): Promise<void> {
  const root = repoRoot();
  const cli = join(root, "node_modules", "prisma", "build", "index.js");
  await promisify(execFile)(process.execPath, [cli, "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
