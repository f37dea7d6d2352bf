import { defineTakeoverContract } from "./takeover.contract.js";

defineTakeoverContract("pglite");
