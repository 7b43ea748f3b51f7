export * from "./techniques";
export * from "./node";
export * from "./migration";
