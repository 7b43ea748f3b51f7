import { specPowerModel, type PowerModel } from "./power-model";

/**
 * The two servers of CloudSim's PlanetLab set-up (Beloglazov & Buyya, CCPE 2012), with the SPECpower
 * figures CloudSim ships in PowerModelSpecPowerHpProLiantMl110G4Xeon3040 and ...G5Xeon3075
 * (SPECpower_ssj2008 results 2011q1 00342 and 00339).
 */
export const HP_PROLIANT_ML110_G4: PowerModel = specPowerModel(
  "hp-proliant-ml110-g4-xeon3040",
  [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117],
);

export const HP_PROLIANT_ML110_G5: PowerModel = specPowerModel(
  "hp-proliant-ml110-g5-xeon3075",
  [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135],
);
