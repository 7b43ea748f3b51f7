import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/database/provision";

/** The libraries are pure: no framework, database, queue or network (STYLE.md); the apps adapt them. */
const FORBIDDEN = /from\s+["'](@nestjs\/[^"']*|@prisma\/[^"']*|bullmq|ioredis|pg|express|node:(?:net|http|https|dgram|tls))["']/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("architecture", () => {
  const root = repoRoot();
  const libs = readdirSync(join(root, "libs"));

  it.each(libs)("libs/%s imports no framework, database, queue or network code", (lib) => {
    const offenders = sources(join(root, "libs", lib, "src"))
      .filter((file) => FORBIDDEN.test(readFileSync(file, "utf8")))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it("ferryctl talks to the API only through libs/api-client", () => {
    const offenders = sources(join(root, "apps", "ferryctl", "src"))
      .filter((file) => /from\s+["'](@ferry\/(?!api-client)[^"']*|\.\.\/\.\.\/[^"']*|@nestjs\/[^"']*|@prisma\/[^"']*|bullmq|ioredis)["']/.test(readFileSync(file, "utf8")))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it("the libraries import each other only through their public index", () => {
    const deep = libs.flatMap((lib) =>
      sources(join(root, "libs", lib, "src")).filter((file) => /from\s+["']@ferry\/[^"']+\/src/.test(readFileSync(file, "utf8"))),
    );
    expect(deep).toEqual([]);
  });
});
