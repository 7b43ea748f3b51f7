-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "slaNetwork" JSONB;

