export { createRng, deriveSeed, shuffleInPlace, type Rng } from "./rng";
