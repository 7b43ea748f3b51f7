#!/usr/bin/env node
// Runs ferryctl from its TypeScript source, the way the workspace runs every app (@swc-node/register).
require("@swc-node/register");
require("../src/cli.ts");
