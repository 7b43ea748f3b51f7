-- AlterTable
ALTER TABLE "Vm" ADD COLUMN     "postCopyRecovery" BOOLEAN NOT NULL DEFAULT true;
