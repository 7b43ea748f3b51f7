// Makes `npm start` and `npm test` work as the very first command on a fresh clone: installs the locked
// dependencies when node_modules is missing or older than package-lock.json, and generates the Prisma
// client when it is missing or older than the schema.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -1);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

if (mtime(join(root, "node_modules", ".package-lock.json")) < mtime(join(root, "package-lock.json"))) {
  console.error("ferry: installing dependencies (npm ci)...");
  execFileSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: ["ignore", process.stderr, "inherit"] });
}

const client = join(root, "apps", "controller", "src", "generated", "prisma", "client.ts");
if (mtime(client) < mtime(join(root, "prisma", "schema.prisma"))) {
  console.error("ferry: generating the Prisma client...");
  execFileSync(process.execPath, [join(root, "node_modules", "prisma", "build", "index.js"), "generate"], {
    cwd: root,
    stdio: ["ignore", process.stderr, "inherit"],
  });
}
