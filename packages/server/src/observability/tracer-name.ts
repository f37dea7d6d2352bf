/** The tracer every span of the API is made with (its instrumentation scope). */
export const TRACER_NAME = "otp-api";
