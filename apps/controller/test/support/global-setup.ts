import { createHash } from "node:crypto";
import type { TestProject } from "vitest/node";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations, dropDatabase, ensureDatabase, repoRoot, withServer } from "../../src/database/provision";
import { TEST_SERVER_URL } from "./test-env";

const STALE_TEMPLATE_MS = 24 * 3600_000;

/**
 * Builds, once per run, a template database with every migration applied; each test file then gets a
 * fresh copy of it (CREATE DATABASE ... TEMPLATE), which takes milliseconds. The template's name carries
 * a hash of the migrations, so a schema change builds a new one.
 */
export default async function setup(project: TestProject): Promise<void> {
  const dir = join(repoRoot(), "prisma", "migrations");
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith(".toml")) continue;
    hash.update(name).update(readFileSync(join(dir, name, "migration.sql")));
  }
  const template = `ferry_test_tpl_${hash.digest("hex").slice(0, 12)}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${template}`;
  // Another checkout with another schema may be running its tests on this server right now: only templates
  // untouched for a day are dropped. A template's comment holds when it was last used.
  const stale = await withServer(TEST_SERVER_URL, async (c) =>
    (
      await c.query(
        `SELECT datname FROM pg_database d
          WHERE datname LIKE 'ferry_test_tpl_%' AND datname <> $1
            AND COALESCE(NULLIF(shobj_description(d.oid, 'pg_database'), '')::bigint, 0) < $2`,
        [template, Date.now() - STALE_TEMPLATE_MS],
      )
    ).rows.map((r: { datname: string }) => r.datname),
  );
  for (const name of stale) {
    const u = new URL(TEST_SERVER_URL);
    u.pathname = `/${name}`;
    await dropDatabase(u.toString());
  }
  if (await ensureDatabase(url.toString())) {
    // Stamped before migrating (which takes seconds): another checkout's setup drops unstamped templates as stale.
    await withServer(TEST_SERVER_URL, (c) => c.query(`COMMENT ON DATABASE ${template} IS '${Date.now()}'`));
    try {
      await applyMigrations(url.toString());
    } catch (e) {
      await dropDatabase(url.toString());
      throw e;
    }
  }
  await withServer(TEST_SERVER_URL, (c) => c.query(`COMMENT ON DATABASE ${template} IS '${Date.now()}'`));
  project.provide("databaseTemplate", template);
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseTemplate: string;
  }
}
