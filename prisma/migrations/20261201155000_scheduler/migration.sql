-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "bandwidthShareMbps" DOUBLE PRECISION,
ADD COLUMN     "moveClass" TEXT NOT NULL DEFAULT 'operator',
ADD COLUMN     "waitReason" TEXT;

-- CreateTable
CREATE TABLE "SchedulerSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "limits" JSONB NOT NULL DEFAULT '{}',
    "links" JSONB NOT NULL DEFAULT '{}',
    "updatedBy" TEXT NOT NULL DEFAULT 'system',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SchedulerSettings_pkey" PRIMARY KEY ("id")
);

