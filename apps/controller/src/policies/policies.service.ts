import { Injectable, OnModuleInit } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { FerryError, type FieldProblem } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import { Prisma, type PolicyConfig, type PolicyMode as StoredMode } from "../generated/prisma/client";
import type { z } from "zod";
import type { policySchema } from "./dto/policy.answer";
import type { UpdatePolicy } from "./dto/policy.dto";
import type { PolicyMode } from "./live-policy";
import { LIVE_POLICIES, livePolicy } from "./policy-registry";

const toStored = (m: PolicyMode): StoredMode => (m === "dry-run" ? "dry_run" : m);
const fromStored = (m: StoredMode): PolicyMode => (m === "dry_run" ? "dry-run" : m);

/** Each policy's mode, interval and parameters, stored so every replica and every restart sees the same. */
@Injectable()
export class PoliciesService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** A policy missing from the table gets its defaults (a new policy after an upgrade, or a fresh database). */
  async onModuleInit(): Promise<void> {
    await this.prisma.policyConfig.createMany({
      data: LIVE_POLICIES.map((p) => ({ name: p.name, mode: toStored(p.defaults.mode), intervalS: p.defaults.intervalS, params: p.params.parse({}) })),
      skipDuplicates: true,
    });
  }

  async list() {
    const rows = await this.prisma.policyConfig.findMany();
    const byName = new Map(rows.map((r) => [r.name, r]));
    return { items: LIVE_POLICIES.filter((p) => byName.has(p.name)).map((p) => this.view(byName.get(p.name)!)) };
  }

  async get(name: string) {
    return this.view(await this.find(name));
  }

  async configs(): Promise<PolicyConfig[]> {
    return this.prisma.policyConfig.findMany();
  }

  async update(name: string, patch: UpdatePolicy, actor: string) {
    const policy = livePolicy(name);
    if (!policy) throw this.unknown(name);
    const updated = await this.prisma.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<PolicyConfig[]>`SELECT * FROM "PolicyConfig" WHERE name = ${name} FOR UPDATE`;
      if (!current) throw this.unknown(name);
      let params = current.params as Record<string, unknown>;
      if (patch.params) {
        const parsed = policy.params.safeParse({ ...params, ...patch.params });
        if (!parsed.success) {
          const problems: FieldProblem[] = parsed.error.issues.map((i) => ({ field: ["params", ...i.path].join("."), reason: i.message }));
          throw new FerryError("ValidationFailed", `invalid parameters for policy ${name}`, problems);
        }
        params = parsed.data as Record<string, unknown>;
      }
      const row = await tx.policyConfig.update({
        where: { name },
        data: {
          ...(patch.mode ? { mode: toStored(patch.mode) } : {}),
          ...(patch.intervalS ? { intervalS: patch.intervalS } : {}),
          params: params as Prisma.InputJsonValue,
          updatedBy: actor,
        },
      });
      await this.audit.record(tx, {
        actor,
        action: "policy.updated",
        targetType: "policy",
        targetId: name,
        details: { before: { mode: fromStored(current.mode), intervalS: current.intervalS, params: current.params }, after: { mode: fromStored(row.mode), intervalS: row.intervalS, params } },
      });
      return row;
    });
    return this.view(updated);
  }

  /** Record what a run found, for GET /policies. */
  async recordRun(name: string, at: Date, result: Record<string, unknown>): Promise<void> {
    await this.prisma.policyConfig.update({ where: { name }, data: { lastRunAt: at, lastRun: result as Prisma.InputJsonValue } });
  }

  async find(name: string): Promise<PolicyConfig> {
    const row = livePolicy(name) ? await this.prisma.policyConfig.findUnique({ where: { name } }) : null;
    if (!row) throw this.unknown(name);
    return row;
  }

  private unknown(name: string) {
    return new FerryError("PolicyNotFound", `policy ${name} does not exist; known: ${LIVE_POLICIES.map((p) => p.name).join(", ")}`, { name });
  }

  view(row: PolicyConfig): z.infer<typeof policySchema> {
    const policy = livePolicy(row.name)!;
    return {
      name: row.name,
      description: policy.description,
      mode: fromStored(row.mode),
      intervalS: row.intervalS,
      params: row.params,
      updatedBy: row.updatedBy,
      updatedAt: row.updatedAt.toISOString(),
      lastRunAt: row.lastRunAt?.toISOString() ?? null,
      lastRun: row.lastRun,
    };
  }
}

export { fromStored as policyModeOf };
