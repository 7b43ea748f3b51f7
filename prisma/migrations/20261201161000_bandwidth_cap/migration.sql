-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "bandwidthCapMbps" DOUBLE PRECISION;

