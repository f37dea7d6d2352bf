import { defineLocaleContract } from "./locale.contract.js";

defineLocaleContract("pglite");
