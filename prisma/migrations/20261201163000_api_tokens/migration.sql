-- CreateEnum
CREATE TYPE "TokenRole" AS ENUM ('viewer', 'operator', 'admin', 'agent');

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "TokenRole" NOT NULL,
    "nodeId" UUID,
    "secretHash" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_secretHash_key" ON "ApiToken"("secretHash");

-- CreateIndex
CREATE INDEX "ApiToken_nodeId_idx" ON "ApiToken"("nodeId");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Active operator tokens have unique names (a revoked name may be given again); agent credentials are one per node.
CREATE UNIQUE INDEX "ApiToken_active_name_key" ON "ApiToken"("name") WHERE "revokedAt" IS NULL AND "nodeId" IS NULL;
