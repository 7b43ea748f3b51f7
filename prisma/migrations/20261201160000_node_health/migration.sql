-- AlterTable
ALTER TABLE "NodeSample" ADD COLUMN     "correctedMemoryErrors" BIGINT,
ADD COLUMN     "temperatureC" DOUBLE PRECISION;

