-- DropIndex
DROP INDEX "NodeSample_nodeId_at_idx";

-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "workload" JSONB NOT NULL DEFAULT '{"kind":"constant","cpuFraction":0.3,"memFraction":0.75}';

-- CreateTable
CREATE TABLE "VmSample" (
    "id" BIGSERIAL NOT NULL,
    "vmId" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "cpuFraction" DOUBLE PRECISION NOT NULL,
    "memUsedMiB" DOUBLE PRECISION NOT NULL,
    "dirtyRateMiBps" DOUBLE PRECISION NOT NULL,
    "peerTxMbps" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "VmSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VmSample_at_idx" ON "VmSample"("at");

-- CreateIndex
CREATE UNIQUE INDEX "VmSample_vmId_at_nodeId_key" ON "VmSample"("vmId", "at", "nodeId");

-- CreateIndex
CREATE INDEX "NodeSample_at_idx" ON "NodeSample"("at");

-- Hand-written: a node's samples become unique by time; keep the first of any that share a millisecond.
DELETE FROM "NodeSample" a USING "NodeSample" b WHERE a."nodeId" = b."nodeId" AND a."at" = b."at" AND a."id" > b."id";

-- CreateIndex
CREATE UNIQUE INDEX "NodeSample_nodeId_at_key" ON "NodeSample"("nodeId", "at");

-- AddForeignKey
ALTER TABLE "VmSample" ADD CONSTRAINT "VmSample_vmId_fkey" FOREIGN KEY ("vmId") REFERENCES "Vm"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VmSample" ADD CONSTRAINT "VmSample_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

