/**
 * The OpenAPI 3.1 document of the REST surface, generated from the operation
 * declarations (zod 4's JSON Schema output for bodies and answers), and the
 * reference page that renders it (Scalar, served from its package: see
 * api-reference.ts).
 */
import { createHash } from "node:crypto";
import { type PasscodePolicy, SEND_LIMIT_REASONS } from "@otp/core";
import {
  API_ERROR_CODES,
  API_ERROR_MESSAGES,
  type ApiErrorCode,
  type Endpoint,
  endpointsOf,
  httpStatusOf,
  SESSION_COOKIE,
} from "@otp/server/internal";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  chooseEncoding,
  openScript,
  type ReferenceScript,
  referenceScript,
  SCALAR_CONFIGURATION,
  SCRIPT_NAME,
} from "./api-reference.js";

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

/**
 * A query parameter's schema: a query string carries text or nothing, never
 * null, so `string | null` (the procedure's "no cursor") is documented as a
 * string that may be left out.
 */
function queryValueSchema(schema: JsonSchema): JsonSchema {
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  if (anyOf === undefined) return schema;
  const kept = anyOf.filter((option) => option.type !== "null");
  if (kept.length !== 1) return { ...schema, anyOf: kept };
  const { anyOf: _, ...rest } = schema;
  return { ...rest, ...kept[0] };
}

/** Example values by field name, where the schema alone says too little. */
const EXAMPLE_VALUES: Record<string, unknown> = {
  email: "person@example.com",
  newEmail: "new-address@example.com",
  ip: "203.0.113.7",
  device: "Firefox on Linux",
  locale: "en",
  nextCursor: "MjAyNi0xMi0wMVQxMjowMDowMC4wMDBafDA",
};

/** An example of a JSON Schema's value: enums' first value, formats' shapes, every property. */
function exampleOf(schema: JsonSchema, name?: string): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const anyOf = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (anyOf !== undefined) {
    const options = anyOf.filter((option) => option.type !== "null");
    return options.length === 0 ? null : exampleOf(options[0] as JsonSchema, name);
  }
  const type = Array.isArray(schema.type)
    ? (schema.type as string[]).find((option) => option !== "null")
    : schema.type;
  if (type === "string" && name !== undefined) {
    if (name in EXAMPLE_VALUES) return EXAMPLE_VALUES[name];
    if (/At$/.test(name)) return "2026-12-01T12:00:00.000Z";
    if (/^(id|.+Id)$/.test(name)) return "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c";
  }
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, exampleOf(value, key)]),
      );
    }
    case "array":
      return [exampleOf((schema.items ?? {}) as JsonSchema, name)];
    case "boolean":
      return true;
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? Math.max(schema.minimum, 1) : 1;
    case "null":
      return null;
    case "string":
      if (schema.format === "date-time") return "2026-12-01T12:00:00.000Z";
      if (schema.format === "uuid") return "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c";
      if (schema.format === "email") return EXAMPLE_VALUES.email;
      if (typeof schema.description === "string") return schema.description;
      return "text";
    default:
      return null;
  }
}

/** The error envelope as the API sends it for a code. */
function errorExample(code: ApiErrorCode) {
  const error: Record<string, unknown> = { code, message: API_ERROR_MESSAGES[code] };
  if (code === "INVALID_INPUT") error.fieldErrors = { email: ["Enter a valid email address."] };
  if (code === "OTP_INVALID") error.attemptsLeft = 4;
  if (httpStatusOf(code) === 429 || code === "SEND_LIMIT_REACHED") {
    error.retryAt = "2026-12-01T12:15:00.000Z";
  }
  if (code === "SEND_LIMIT_REACHED") error.reason = SEND_LIMIT_REASONS[0];
  return { error };
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
      content: { "application/json": { schema: success, example: exampleOf(success) } },
    },
  };
  for (const [status, codes] of errorCodesOf(endpoint)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(", "),
      headers:
        status === 429
          ? { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } }
          : undefined,
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/Error" },
          examples: Object.fromEntries(codes.map((code) => [code, { value: errorExample(code) }])),
        },
      },
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
    const parameters = Object.entries(properties).map(([name, property]) => {
      const { description, ...schema } = queryValueSchema(property);
      return {
        name,
        in: "query",
        required: required.includes(name),
        ...(typeof description === "string" ? { description } : {}),
        schema,
      };
    });
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
      securitySchemes: {
        session: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: `\`__Host-${SESSION_COOKIE}\` when the app is served over https (APP_URL).`,
        },
      },
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The reference page: Scalar's script (by its hashed name) and the call that draws the document. */
function referencePage(appName: string, scriptName: string): { html: string; script: string } {
  const configuration = { ...SCALAR_CONFIGURATION, url: OPENAPI_PATH };
  // JSON in a script element: "<" escaped, so no "</script>" can end it early.
  const script = `Scalar.createApiReference("#app", ${JSON.stringify(configuration).replace(/</g, "\\u003c")});`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(appName)} API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="${DOCS_PATH}/${scriptName}"></script>
    <script>${script}</script>
  </body>
</html>
`;
  return { html, script };
}

/**
 * GET /api/v1/openapi.json and the reference page at GET /api/docs. The page's
 * script is served by the API from the package (no CDN, no fonts fetched) as
 * a hashed file, cached for good and precompressed (http/api-reference.ts);
 * the page's one inline script is allowed by its hash, nothing else is.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: {
    policy: PasscodePolicy;
    appName: string;
    contentSecurityPolicy: string;
    /** Where the reference's script is written once (DATA_DIR/api-reference). */
    cacheDir: string;
  },
): Promise<void> {
  const document = JSON.stringify(createOpenApiDocument(options.policy, options.appName));
  app.get(OPENAPI_PATH, async (_request, reply) =>
    reply.type("application/json; charset=utf-8").send(document),
  );

  let script: Promise<ReferenceScript> | undefined;
  const loadScript = () => {
    script ??= referenceScript(options.cacheDir).catch((error: unknown) => {
      script = undefined; // tried again on the next request
      throw error;
    });
    return script;
  };
  let page: { html: string; policy: string; etag: string } | undefined;
  app.get(`${DOCS_PATH}/`, async (request, reply) => {
    if (page === undefined) {
      const { name } = await loadScript();
      const { html, script: inline } = referencePage(options.appName, name);
      const hash = `'sha256-${createHash("sha256").update(inline).digest("base64")}'`;
      page = {
        html,
        policy: options.contentSecurityPolicy.replace(
          /script-src ([^;]*)/,
          (_all, sources: string) => `script-src ${sources} ${hash}`,
        ),
        etag: `"${createHash("sha256").update(html).digest("base64url").slice(0, 22)}"`,
      };
    }
    reply
      .header("content-security-policy", page.policy)
      .header("cache-control", "no-cache")
      .header("etag", page.etag);
    if (request.headers["if-none-match"] === page.etag) return reply.code(304).send();
    return reply.type("text/html; charset=utf-8").send(page.html);
  });
  app.get(`${DOCS_PATH}/:file`, async (request, reply) => {
    const { file } = request.params as { file: string };
    const found = SCRIPT_NAME.test(file) ? await loadScript() : undefined;
    if (found === undefined || found.name !== file) return reply.callNotFound();
    const encoding = chooseEncoding(request.headers["accept-encoding"]);
    const { stream, size } = await openScript(found, encoding);
    reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("content-length", size)
      .header("cache-control", "public, max-age=31536000, immutable")
      .header("vary", "accept-encoding");
    if (encoding !== undefined) reply.header("content-encoding", encoding);
    return reply.send(stream);
  });
}

/** The page answers at /api/docs itself (its route is /api/docs/). */
export function rewriteDocsUrl(url: string): string {
  return url === DOCS_PATH ? `${DOCS_PATH}/` : url;
}
