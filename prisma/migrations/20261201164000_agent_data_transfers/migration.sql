-- AlterTable
ALTER TABLE "Migration" ADD COLUMN     "imageDigest" JSONB;

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "dataAddress" TEXT;

