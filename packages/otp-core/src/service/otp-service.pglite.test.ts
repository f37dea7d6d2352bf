import { defineOtpServiceContract } from "./otp-service.contract.js";

defineOtpServiceContract("pglite");
