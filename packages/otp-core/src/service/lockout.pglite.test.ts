import { defineLockoutContract } from "./lockout.contract.js";

defineLockoutContract("pglite");
