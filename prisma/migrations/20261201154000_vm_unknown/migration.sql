-- AlterEnum
ALTER TYPE "VmState" ADD VALUE 'unknown';

