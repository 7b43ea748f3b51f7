// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that
// takes the existing migrations to prisma/schema.prisma. (`prisma migrate dev` cannot create migrations with
// the js schema engine here; `migrate diff` can.) Add hand-written SQL (partial indexes, triggers) below it.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lower-case letters, digits and _)");
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sql = execFileSync(
  process.execPath,
  [join(root, "node_modules/prisma/build/index.js"), "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (sql.includes("This is an empty migration")) {
  console.error("db:migration: schema.prisma matches the migrations; nothing to write");
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(root, "prisma", "migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "migration.sql"), sql);
console.log(`db:migration: wrote ${join("prisma", "migrations", `${stamp}_${name}`, "migration.sql")}`);
