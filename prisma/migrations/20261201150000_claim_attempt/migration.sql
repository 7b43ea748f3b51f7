-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "claimAttempt" TEXT;

