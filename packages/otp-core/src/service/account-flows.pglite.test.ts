import { defineAccountFlowsContract } from "./account-flows.contract.js";

defineAccountFlowsContract("pglite");
