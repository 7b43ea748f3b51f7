import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/database/provision";
import { TEST_SERVER_URL } from "./support/test-env";

describe("prisma/migrations", () => {
  it("build exactly the schema in schema.prisma", async () => {
    const root = repoRoot();
    const url = new URL(TEST_SERVER_URL);
    url.pathname = "/postgres";
    // --exit-code: 0 when the diff is empty, 2 when the migrations and the schema disagree.
    const run = promisify(execFile)(
      process.execPath,
      [join(root, "node_modules/prisma/build/index.js"), "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--exit-code"],
      { cwd: root, env: { ...process.env, DATABASE_URL: url.toString() } },
    );
    await expect(run).resolves.toBeDefined();
  }, 120_000);
});
