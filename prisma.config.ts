// Read only by the Prisma CLI. Prisma 6.19.3 with the js (wasm) schema engine works offline; see ../shared/STACK.md.
import { randomUUID } from "node:crypto";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// Unset DATABASE_URL makes the CLI try to download an engine.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/ferry";

// prisma/orm#27403: adapter-pg cannot deserialise catalog types (char, name, ...); report them as text / text[].
const AS_TEXT: Record<number, number> = { 18: 25, 19: 25, 22: 25, 24: 25, 30: 25, 194: 25, 1002: 1009, 1003: 1009 };

function owner(start: object, method: string): any {
  let proto: any = Object.getPrototypeOf(start);
  while (proto && !Object.hasOwn(proto, method)) proto = Object.getPrototypeOf(proto);
  return proto;
}

function patch<T extends object>(queryable: T): T {
  const io = owner(queryable, "performIO");
  if (io && !io.__asText) {
    const performIO = io.performIO;
    io.performIO = async function (this: unknown, query: unknown) {
      const result = await performIO.call(this, query);
      for (const field of result?.fields ?? []) field.dataTypeID = AS_TEXT[field.dataTypeID] ?? field.dataTypeID;
      return result;
    };
    io.__asText = true;
  }
  // adapter-pg splits a migration script on every ';', which breaks dollar-quoted function bodies (our triggers).
  // PostgreSQL's simple query protocol runs the whole script at once, as one implicit transaction.
  const script = owner(queryable, "executeScript");
  if (script && !script.__whole) {
    script.executeScript = async function (this: { client: { query(sql: string): Promise<unknown> } }, sql: string) {
      await this.client.query(sql);
    };
    script.__whole = true;
  }
  return queryable;
}

// Discrete fields, because a connectionString would override the shadow database's name.
function pgConfig(database?: string) {
  const url = new URL(process.env.DATABASE_URL!);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: database ?? url.pathname.slice(1),
  };
}

function migrateAdapter() {
  const factory = new PrismaPg(pgConfig());
  const connect = factory.connect.bind(factory);
  factory.connect = async () => patch(await connect());
  // adapter-pg's own shadow database is dropped while still connected; this one disconnects first.
  factory.connectToShadowDb = async () => {
    const admin = patch(await connect());
    const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = patch(await new PrismaPg(pgConfig(name)).connect());
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  };
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => migrateAdapter(),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
