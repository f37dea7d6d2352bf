import { defineLinksContract } from "./links.contract.js";

defineLinksContract("pglite");
