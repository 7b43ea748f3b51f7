export { createRng, deriveSeed, randomPermutation, shuffleInPlace, type Rng } from "./rng";
