-- CreateEnum
CREATE TYPE "PolicyMode" AS ENUM ('off', 'dry_run', 'approve', 'auto');

-- AlterEnum
ALTER TYPE "NodeState" ADD VALUE 'waking';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "PlanState" ADD VALUE 'approved';
ALTER TYPE "PlanState" ADD VALUE 'expired';

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "approvedAt" TIMESTAMP(3),
ADD COLUMN     "approvedBy" TEXT,
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'operator',
ADD COLUMN     "policy" TEXT,
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "reason" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "scopeNodeIds" UUID[],
ADD COLUMN     "scopeVmIds" UUID[];

-- AlterTable
ALTER TABLE "PlanStep" ADD COLUMN     "capacityAfter" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "dependsOn" INTEGER[],
ADD COLUMN     "reason" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "rejected" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "PolicyConfig" (
    "name" TEXT NOT NULL,
    "mode" "PolicyMode" NOT NULL,
    "intervalS" INTEGER NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "updatedBy" TEXT NOT NULL DEFAULT 'system',
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "lastRun" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "PolicyConfig_pkey" PRIMARY KEY ("name")
);

