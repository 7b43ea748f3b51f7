import { Inject, Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { lockRow } from "../database/lock";
import type { Tx } from "../database/prisma.service";
import type { Migration } from "../generated/prisma/client";

/** The one way a migration ends other than completed (an operator's cancel, an agent's failure, the reconciler). */
@Injectable()
export class MigrationEnding {
  constructor(
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * End a migration that is not completed. The VM stays where it is: on its source. When the migration is the
   * first leg of a hop, the migration it serves waits on (the scheduler may try the hop again), unless it was
   * cancelled meanwhile: then it ends too.
   */
  async end(tx: Tx, m: Migration, state: "failed" | "cancelled", error: string, actor: string): Promise<Migration> {
    const ended = await tx.migration.update({
      where: { id: m.id },
      data: { state, error, finishedAt: this.clock.now() },
    });
    await this.audit.record(tx, {
      actor,
      action: `migration.${state}`,
      targetType: "migration",
      targetId: m.id,
      details: { error, from: m.state },
    });
    if (await this.afterLeg(tx, m, actor)) return ended;
    await tx.vm.updateMany({ where: { id: m.vmId, state: "migrating" }, data: { state: "running" } });
    return ended;
  }

  /**
   * A hop's first leg ended (completed or not): the migration it serves, if still waiting, goes on from where
   * the VM now is, or ends as cancelled when an operator cancelled it meanwhile (the VM then stays where the
   * leg left it: its source, or the hop node). True when that migration still waits: the VM stays migrating.
   */
  async afterLeg(tx: Tx, leg: Migration, actor: string): Promise<boolean> {
    if (!leg.hopForId || !(await lockRow(tx, "Migration", leg.hopForId))) return false;
    const parent = await tx.migration.findUniqueOrThrow({ where: { id: leg.hopForId } });
    if (parent.state !== "requested") return false;
    const vm = await tx.vm.findUniqueOrThrow({ where: { id: parent.vmId }, select: { nodeId: true } });
    if (parent.cancelRequestedAt) {
      await this.end(tx, parent, "cancelled", `cancelled while its hop ran; the VM stays on node ${vm.nodeId}`, actor);
      return false;
    }
    await tx.migration.update({ where: { id: parent.id }, data: { sourceNodeId: vm.nodeId!, waitReason: null } });
    return true;
  }

}
