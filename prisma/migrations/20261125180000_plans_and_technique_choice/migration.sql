-- CreateEnum
CREATE TYPE "PlanState" AS ENUM ('proposed', 'applying', 'succeeded', 'failed', 'cancelled', 'superseded');

-- CreateEnum
CREATE TYPE "PlanStepState" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped');

-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "allowPostCopy" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "prediction" JSONB,
ADD COLUMN     "techniqueOptions" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "Plan" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "state" "PlanState" NOT NULL DEFAULT 'proposed',
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedBy" TEXT,
    "appliedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "baseVersion" TEXT NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "costBefore" DOUBLE PRECISION NOT NULL,
    "costAfter" DOUBLE PRECISION NOT NULL,
    "explanation" JSONB NOT NULL DEFAULT '{}',
    "error" TEXT,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlanStep" (
    "planId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "vmId" UUID NOT NULL,
    "fromNodeId" UUID NOT NULL,
    "toNodeId" UUID NOT NULL,
    "memMiB" INTEGER NOT NULL,
    "gain" DOUBLE PRECISION NOT NULL,
    "technique" TEXT NOT NULL,
    "techniqueOptions" JSONB NOT NULL DEFAULT '{}',
    "prediction" JSONB NOT NULL DEFAULT '{}',
    "state" "PlanStepState" NOT NULL DEFAULT 'pending',
    "migrationId" UUID,
    "error" TEXT,

    CONSTRAINT "PlanStep_pkey" PRIMARY KEY ("planId","index")
);

-- CreateIndex
CREATE INDEX "Plan_state_idx" ON "Plan"("state");

-- CreateIndex
CREATE INDEX "PlanStep_migrationId_idx" ON "PlanStep"("migrationId");

-- AddForeignKey
ALTER TABLE "PlanStep" ADD CONSTRAINT "PlanStep_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

