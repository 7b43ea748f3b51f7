import { Inject, Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import type { Tx } from "../database/prisma.service";
import type { Migration } from "../generated/prisma/client";

/** The one way a migration ends other than completed (an operator's cancel, an agent's failure, the reconciler). */
@Injectable()
export class MigrationEnding {
  constructor(
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** End a migration that is not completed. The VM stays where it is: on its source. */
  async end(tx: Tx, m: Migration, state: "failed" | "cancelled", error: string, actor: string): Promise<Migration> {
    const ended = await tx.migration.update({
      where: { id: m.id },
      data: { state, error, finishedAt: this.clock.now() },
    });
    await tx.vm.updateMany({ where: { id: m.vmId, state: "migrating" }, data: { state: "running" } });
    await this.audit.record(tx, {
      actor,
      action: `migration.${state}`,
      targetType: "migration",
      targetId: m.id,
      details: { error, from: m.state },
    });
    return ended;
  }

}
