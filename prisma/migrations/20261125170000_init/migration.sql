-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "NodeState" AS ENUM ('active', 'cordoned', 'maintenance', 'draining', 'off', 'failed');

-- CreateEnum
CREATE TYPE "HypervisorKind" AS ENUM ('bare_metal', 'hosted');

-- CreateEnum
CREATE TYPE "VmState" AS ENUM ('running', 'migrating', 'stopped', 'failed');

-- CreateEnum
CREATE TYPE "MigrationState" AS ENUM ('requested', 'queued', 'running', 'completed', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Node" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "hypervisor" "HypervisorKind" NOT NULL DEFAULT 'bare_metal',
    "cpu" INTEGER NOT NULL,
    "memMiB" INTEGER NOT NULL,
    "idleWatts" DOUBLE PRECISION NOT NULL,
    "peakWatts" DOUBLE PRECISION NOT NULL,
    "state" "NodeState" NOT NULL DEFAULT 'active',
    "stateReason" TEXT,
    "lastHeartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NodeSample" (
    "id" BIGSERIAL NOT NULL,
    "nodeId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "cpuLoad" DOUBLE PRECISION NOT NULL,
    "memLoad" DOUBLE PRECISION NOT NULL,
    "watts" DOUBLE PRECISION NOT NULL,
    "netTxMbps" DOUBLE PRECISION NOT NULL,
    "netRxMbps" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "NodeSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vm" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "cpu" INTEGER NOT NULL,
    "memMiB" INTEGER NOT NULL,
    "state" "VmState" NOT NULL DEFAULT 'running',
    "nodeId" UUID,
    "dirtyRateMiBps" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "slaMaxDowntimeMs" INTEGER,
    "slaMaxTotalMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Vm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Traffic" (
    "vmAId" UUID NOT NULL,
    "vmBId" UUID NOT NULL,
    "rateMbps" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Traffic_pkey" PRIMARY KEY ("vmAId","vmBId")
);

-- CreateTable
CREATE TABLE "Migration" (
    "id" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "sourceNodeId" UUID NOT NULL,
    "targetNodeId" UUID NOT NULL,
    "technique" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "state" "MigrationState" NOT NULL DEFAULT 'requested',
    "cpu" INTEGER NOT NULL,
    "memMiB" INTEGER NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queuedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "cancelRequestedAt" TIMESTAMP(3),
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lastProgressAt" TIMESTAMP(3),
    "preparationMs" DOUBLE PRECISION,
    "downtimeMs" DOUBLE PRECISION,
    "resumeMs" DOUBLE PRECISION,
    "pagesTransferred" BIGINT,
    "totalMs" DOUBLE PRECISION,
    "degradation" DOUBLE PRECISION,
    "bytesTransferred" BIGINT,
    "error" TEXT,

    CONSTRAINT "Migration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MigrationEvent" (
    "id" BIGSERIAL NOT NULL,
    "migrationId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "phase" TEXT NOT NULL,
    "round" INTEGER,
    "progress" DOUBLE PRECISION NOT NULL,
    "bytesSent" BIGINT,
    "pagesRemaining" BIGINT,
    "etaMs" DOUBLE PRECISION,
    "message" TEXT,

    CONSTRAINT "MigrationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SlaBreach" (
    "id" BIGSERIAL NOT NULL,
    "migrationId" UUID NOT NULL,
    "vmId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "limitMs" DOUBLE PRECISION NOT NULL,
    "actualMs" DOUBLE PRECISION NOT NULL,
    "reportedBy" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlaBreach_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Node_name_key" ON "Node"("name");

-- CreateIndex
CREATE INDEX "NodeSample_nodeId_at_idx" ON "NodeSample"("nodeId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Vm_name_key" ON "Vm"("name");

-- CreateIndex
CREATE INDEX "Vm_nodeId_idx" ON "Vm"("nodeId");

-- CreateIndex
CREATE INDEX "Traffic_vmBId_idx" ON "Traffic"("vmBId");

-- CreateIndex
CREATE INDEX "Migration_state_idx" ON "Migration"("state");

-- CreateIndex
CREATE INDEX "Migration_vmId_idx" ON "Migration"("vmId");

-- CreateIndex
CREATE INDEX "Migration_sourceNodeId_idx" ON "Migration"("sourceNodeId");

-- CreateIndex
CREATE INDEX "Migration_targetNodeId_idx" ON "Migration"("targetNodeId");

-- CreateIndex
CREATE INDEX "MigrationEvent_migrationId_id_idx" ON "MigrationEvent"("migrationId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "SlaBreach_migrationId_kind_key" ON "SlaBreach"("migrationId", "kind");

-- CreateIndex
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- AddForeignKey
ALTER TABLE "NodeSample" ADD CONSTRAINT "NodeSample_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Traffic" ADD CONSTRAINT "Traffic_vmAId_fkey" FOREIGN KEY ("vmAId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Traffic" ADD CONSTRAINT "Traffic_vmBId_fkey" FOREIGN KEY ("vmBId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_sourceNodeId_fkey" FOREIGN KEY ("sourceNodeId") REFERENCES "Node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_targetNodeId_fkey" FOREIGN KEY ("targetNodeId") REFERENCES "Node"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MigrationEvent" ADD CONSTRAINT "MigrationEvent_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SlaBreach" ADD CONSTRAINT "SlaBreach_migrationId_fkey" FOREIGN KEY ("migrationId") REFERENCES "Migration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SlaBreach" ADD CONSTRAINT "SlaBreach_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Not expressible in schema.prisma: invariants the database itself enforces.

-- A VM has at most one active migration.
CREATE UNIQUE INDEX "Migration_one_active_per_vm" ON "Migration"("vmId") WHERE "state" IN ('requested', 'queued', 'running');

-- A migration's state moves only forward: requested -> queued -> running -> completed | failed | cancelled.
CREATE FUNCTION migration_state_rank(s "MigrationState") RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s WHEN 'requested' THEN 0 WHEN 'queued' THEN 1 WHEN 'running' THEN 2 ELSE 3 END
$$;

CREATE FUNCTION migration_state_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."state" <> OLD."state" AND migration_state_rank(NEW."state") <= migration_state_rank(OLD."state") THEN
    RAISE EXCEPTION 'migration % cannot move from % to %', OLD."id", OLD."state", NEW."state";
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Migration_state_forward_only" BEFORE UPDATE OF "state" ON "Migration"
  FOR EACH ROW EXECUTE FUNCTION migration_state_forward_only();

-- The audit log is append-only.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END
$$;

CREATE TRIGGER "AuditLog_append_only" BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
