/**
 * The OpenAPI 3.1 document of the REST surface, generated from the operation
 * declarations (zod 4's JSON Schema output for bodies and answers), and the
 * reference page that renders it (Scalar, served from its package).
 */
import { createHash } from "node:crypto";
import { type PasscodePolicy, SEND_LIMIT_REASONS } from "@otp/core";
import {
  API_ERROR_CODES,
  type ApiErrorCode,
  type Endpoint,
  endpointsOf,
  httpStatusOf,
  SESSION_COOKIE,
} from "@otp/server/internal";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";

export const OPENAPI_PATH = "/api/v1/openapi.json";
export const DOCS_PATH = "/api/docs";

type JsonSchema = Record<string, unknown>;

const errorEnvelope: JsonSchema = {
  type: "object",
  required: ["error"],
  additionalProperties: false,
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", enum: API_ERROR_CODES },
        message: { type: "string", description: "For people; clients switch on `code`." },
        fieldErrors: {
          type: "object",
          additionalProperties: { type: "array", items: { type: "string" } },
          description: "INVALID_INPUT: what is wrong with each field, by its REST name.",
        },
        attemptsLeft: { type: "integer", description: "OTP_INVALID: guesses left in the window." },
        retryAt: {
          type: "string",
          format: "date-time",
          description: "When asking again can succeed (also sent as Retry-After).",
        },
        reason: {
          type: "string",
          enum: [...SEND_LIMIT_REASONS],
          description: "SEND_LIMIT_REACHED: which limit was reached.",
        },
      },
    },
  },
};

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  return json;
}

/** A JSON Schema object with some properties renamed (REST names, `detail` for `message`). */
function renamed(schema: JsonSchema, names: Record<string, string>): JsonSchema {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  return {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [names[name] ?? name, property]),
    ),
    ...(required.length > 0 ? { required: required.map((name) => names[name] ?? name) } : {}),
  };
}

/** The error codes an endpoint can answer, by HTTP status. */
function errorCodesOf(endpoint: Endpoint): Map<number, ApiErrorCode[]> {
  const codes: ApiErrorCode[] = ["INVALID_INPUT", ...endpoint.operation.failures];
  const post = endpoint.rest?.method === "POST";
  if (post) codes.push("INVALID_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  if (endpoint.session) codes.push("UNAUTHORIZED");
  if (endpoint.limit !== "none") codes.push("RATE_LIMITED");
  codes.push("SERVICE_UNAVAILABLE");
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function operationObject(endpoint: Endpoint, schemas: { input?: JsonSchema }): JsonSchema {
  const rest = endpoint.rest as NonNullable<Endpoint["rest"]>;
  const success = renamed(jsonSchemaOf(endpoint.operation.output, "output"), {
    message: "detail",
  });
  const responses: Record<string, unknown> = {
    [String(rest.status ?? 200)]: {
      description: "Success.",
      content: { "application/json": { schema: success } },
    },
  };
  for (const [status, codes] of errorCodesOf(endpoint)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(", "),
      headers:
        status === 429
          ? { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } }
          : undefined,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  const operation: JsonSchema = {
    operationId: endpoint.procedure,
    summary: endpoint.operation.summary,
    tags: [endpoint.procedure.split(".")[0]],
    description: `The same operation as the tRPC procedure \`${endpoint.procedure}\`. Per-IP limit: ${endpoint.limit}.`,
    responses,
  };
  if (endpoint.session) operation.security = [{ session: [] }];
  if (rest.method === "GET") {
    // A GET's input is its query string.
    const properties = (schemas.input?.properties ?? {}) as Record<string, JsonSchema>;
    const required = (schemas.input?.required ?? []) as string[];
    const parameters = Object.entries(properties).map(([name, schema]) => ({
      name,
      in: "query",
      required: required.includes(name),
      schema,
    }));
    if (parameters.length > 0) operation.parameters = parameters;
  }
  if (rest.method === "POST") {
    operation.requestBody = {
      required: true,
      content: {
        "application/json": {
          schema: schemas.input,
          ...(rest.example === undefined ? {} : { example: rest.example }),
        },
      },
    };
  }
  return operation;
}

/** The document, derived from the declarations (field names, schemas and statuses included). */
export function createOpenApiDocument(policy: PasscodePolicy, appName: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpointsOf(policy)) {
    if (endpoint.rest === undefined) continue;
    const schema = endpoint.schema;
    const input =
      schema === null
        ? { type: "object", properties: {}, additionalProperties: false }
        : {
            ...renamed(jsonSchemaOf(schema, "input"), endpoint.rest.toRest),
            // The server refuses any field the operation does not declare.
            additionalProperties: false,
          };
    paths[endpoint.rest.path] = {
      ...paths[endpoint.rest.path],
      [endpoint.rest.method.toLowerCase()]: operationObject(endpoint, { input }),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: `${appName} API`,
      version: "1",
      description:
        "Email one-time passcodes: registration with verification, resend, sign-in by code or password, password reset, email change. Every operation is also a tRPC procedure under /trpc.",
    },
    paths,
    components: {
      schemas: { Error: errorEnvelope },
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE } },
    },
  };
}

/** Inline scripts of a page, as CSP hash sources. */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    ([, body]) =>
      `'sha256-${createHash("sha256")
        .update(body ?? "")
        .digest("base64")}'`,
  );
}

/**
 * GET /api/v1/openapi.json and the reference page at GET /api/docs. The page's
 * script is served by the API from the package (no CDN, no fonts fetched);
 * its inline bootstrap scripts are allowed by their hashes, nothing else is.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: { policy: PasscodePolicy; appName: string; contentSecurityPolicy: string },
): Promise<void> {
  const document = JSON.stringify(createOpenApiDocument(options.policy, options.appName));
  app.get(OPENAPI_PATH, async (_request, reply) =>
    reply.type("application/json; charset=utf-8").send(document),
  );

  // A context of its own, so the page's hook runs for its routes only.
  await app.register(async (docs) => {
    let pagePolicy: string | undefined;
    docs.addHook("onSend", async (_request, reply, payload) => {
      if (typeof payload !== "string") return payload;
      if (!String(reply.getHeader("content-type") ?? "").startsWith("text/html")) return payload;
      pagePolicy ??= options.contentSecurityPolicy.replace(
        /script-src ([^;]*)/,
        (_all, sources: string) => `script-src ${sources} ${inlineScriptHashes(payload).join(" ")}`,
      );
      reply.header("content-security-policy", pagePolicy);
      return payload;
    });
    // The reference (Scalar) is loaded on the page's first request, not at start: its plugin
    // module carries the page's 4.7 MB script, which cost the heap about 19 MB of strings
    // for as long as the process ran, whether anyone opened the page or not (README, "Memory").
    // It runs in a Fastify instance of its own, which the routes here answer through.
    let reference: Promise<FastifyInstance> | undefined;
    const loadReference = async () => {
      const { default: scalar } = await import("@scalar/fastify-api-reference");
      const inner = Fastify({ logger: false });
      await inner.register(scalar, {
        routePrefix: DOCS_PATH,
        configuration: {
          url: OPENAPI_PATH,
          cdn: `${DOCS_PATH}/js/scalar.js`,
          pageTitle: `${options.appName} API`,
          withDefaultFonts: false,
          telemetry: false,
        },
      });
      await inner.ready();
      return inner;
    };
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      reference ??= loadReference().catch((error: unknown) => {
        reference = undefined; // tried again on the next request
        throw error;
      });
      const answer = await (await reference).inject({
        method: request.method as "GET" | "HEAD",
        url: request.url,
        headers: { accept: request.headers.accept ?? "*/*" },
      });
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_HEADERS.has(name.toLowerCase())) reply.header(name, value);
      }
      reply.code(answer.statusCode);
      // HTML as text, so the hook above can hash its inline scripts into the page's policy.
      const html = String(answer.headers["content-type"] ?? "").startsWith("text/html");
      return reply.send(html ? answer.payload : answer.rawPayload);
    };
    docs.get(`${DOCS_PATH}/`, serve);
    docs.get(`${DOCS_PATH}/*`, serve);
  });
}

/** Headers of the reference's own answer that describe its connection, not its content. */
const HOP_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "date",
]);

/** The page answers at /api/docs itself (the plugin serves it at /api/docs/). */
export function rewriteDocsUrl(url: string): string {
  return url === DOCS_PATH ? `${DOCS_PATH}/` : url;
}
