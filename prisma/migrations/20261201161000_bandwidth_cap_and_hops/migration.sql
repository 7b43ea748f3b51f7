-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "bandwidthCapMbps" DOUBLE PRECISION,
ADD COLUMN     "hopForId" UUID;

-- AlterTable
ALTER TABLE "PlanStep" ADD COLUMN     "bandwidthCapMbps" DOUBLE PRECISION;

-- CreateIndex
CREATE INDEX "Migration_hopForId_idx" ON "Migration"("hopForId");

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_hopForId_fkey" FOREIGN KEY ("hopForId") REFERENCES "Migration"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- One active migration per VM, as before, plus at most one active hop leg per VM: while its leg runs, the
-- migration it serves stays requested (the leg is the VM's current move).
DROP INDEX "Migration_one_active_per_vm";
CREATE UNIQUE INDEX "Migration_one_active_per_vm" ON "Migration"("vmId") WHERE "state" IN ('requested', 'queued', 'running') AND "hopForId" IS NULL;
CREATE UNIQUE INDEX "Migration_one_active_leg_per_vm" ON "Migration"("vmId") WHERE "state" IN ('requested', 'queued', 'running') AND "hopForId" IS NOT NULL;
