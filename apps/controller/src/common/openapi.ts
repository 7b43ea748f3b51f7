import type { INestApplication } from "@nestjs/common";
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from "@nestjs/swagger";
import { ERROR_CODES } from "./errors";
import { answerSchemas } from "./responses";

type Operation = NonNullable<OpenAPIObject["paths"][string]["get"]>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** The shape DomainErrorFilter gives every error (ErrorBody). */
const ERROR_SCHEMA = {
  type: "object",
  required: ["statusCode", "error", "message"],
  properties: {
    statusCode: { type: "integer", example: 404 },
    error: {
      type: "string",
      description: `A domain code (${ERROR_CODES.join(", ")}), InternalError, or the framework's name for a rejected request.`,
      example: "NodeNotFound",
    },
    message: { type: "string", example: "node 0b7c9f0e-1c1a-4f7e-9a51-3c2d1e0f9a8b does not exist" },
    details: { description: "For ValidationFailed: a list of {field, reason}." },
  },
};

const errorAnswer = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/**
 * Which errors each operation can answer, read from its shape: every route parses a JSON body if one is sent
 * (400), a guarded route checks the token (401), a route with a path id looks it up (404), and a route that
 * changes state can meet a conflicting state (409).
 */
function addErrorAnswers(operation: Operation, method: (typeof METHODS)[number]): void {
  const secured = (operation.security ?? []).length > 0;
  const params = (operation.parameters ?? []) as { in?: string }[];
  const answers: Record<string, ReturnType<typeof errorAnswer>> = {
    "400": errorAnswer("Invalid input: the fields and reasons are in `details`."),
  };
  if (secured) answers["401"] = errorAnswer("Missing or invalid bearer token.");
  if (params.some((p) => p.in === "path")) answers["404"] = errorAnswer("No such object.");
  if (method !== "get" && secured) answers["409"] = errorAnswer("The object's state does not allow this now.");
  operation.responses = { ...operation.responses, ...answers };
}

/**
 * The API document served at /docs-json: every operation with its summary, error answers and security
 * (open routes say so with `security: []`), checked by Redocly's recommended rules in test/docs.spec.ts.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle("Ferry controller")
    .setDescription(
      "Admin API: nodes, VMs, traffic and live migrations. Send `Authorization: Bearer <token>`: FERRY_ADMIN_TOKEN, or a token from POST /api/v1/tokens (roles viewer, operator, admin).",
    )
    .setVersion("1")
    .addServer("/", "This controller")
    .addBearerAuth()
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  // The repository grants no licence (package.json is private): npm's word for that, and where npm defines it.
  doc.info.license = { name: "UNLICENSED", url: "https://docs.npmjs.com/cli/v11/configuring-npm/package-json#license" };
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...answerSchemas(), Error: ERROR_SCHEMA } };
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (!operation.security?.length) operation.security = [];
      addErrorAnswers(operation, method);
    }
  }
  return doc;
}
