import { defineDeviceBudgetsContract } from "./device-budgets.contract.js";

defineDeviceBudgetsContract("pglite");
