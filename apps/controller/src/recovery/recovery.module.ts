import { Module } from "@nestjs/common";
import { PoliciesModule } from "../policies/policies.module";
import { ColdRestart } from "./cold-restart";

@Module({ imports: [PoliciesModule], providers: [ColdRestart], exports: [ColdRestart] })
export class RecoveryModule {}
