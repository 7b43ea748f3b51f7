import { ArgumentMetadata, Body, Param, PipeTransform, Query, applyDecorators } from "@nestjs/common";
import { ApiBody, ApiParam, ApiQuery } from "@nestjs/swagger";
import { z } from "zod";
import { FerryError, FieldProblem } from "./errors";

/** Validation happens only here, at the edge: a zod schema per DTO, failures as 400 with field and reason. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  /** `whole` names the value itself in errors: "(body)", "(query)" or a route parameter's name. */
  constructor(
    private readonly schema: T,
    private readonly whole = "(body)",
  ) {}

  transform(value: unknown, _meta: ArgumentMetadata): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const details: FieldProblem[] = parsed.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : this.whole,
      reason: issue.message,
    }));
    const message = details.map((d) => `${d.field}: ${d.reason}`).join("; ");
    throw new FerryError("ValidationFailed", message, details);
  }
}

export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Apply method-level OpenAPI decorators from a parameter decorator. */
function document(target: object, key: string | symbol | undefined, ...decorators: MethodDecorator[]): void {
  if (key === undefined) return;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor) applyDecorators(...decorators)(target, key, descriptor);
}

/** `@ZodBody(schema) body: z.infer<typeof schema>`: validated body, documented in OpenAPI. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    document(target, key, ApiBody({ schema: openApiSchema(schema) }));
  };
}

/** `@ZodQuery(schema) query: z.infer<typeof schema>`: validated query string, each parameter documented. */
export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    Query(new ZodPipe(schema, "(query)"))(target, key, index);
    const json = openApiSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    const params = Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: property }),
    );
    document(target, key, ...params);
  };
}

/** A route parameter validated by `schema`, documented in OpenAPI. */
export function ZodParam(name: string, schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    Param(name, new ZodPipe(schema, name))(target, key, index);
    document(target, key, ApiParam({ name, schema: openApiSchema(schema) }));
  };
}
