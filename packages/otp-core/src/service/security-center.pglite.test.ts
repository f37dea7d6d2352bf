import { defineSecurityCenterContract } from "./security-center.contract.js";

defineSecurityCenterContract("pglite");
