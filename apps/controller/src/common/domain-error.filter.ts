import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from "@nestjs/common";
import type { Response } from "express";
import { ErrorCode, FerryError, fromLibraryError } from "./errors";

/** The one table from domain error codes to HTTP statuses. */
const STATUS: Record<ErrorCode, HttpStatus> = {
  ValidationFailed: HttpStatus.BAD_REQUEST,
  Unauthorized: HttpStatus.UNAUTHORIZED,
  Forbidden: HttpStatus.FORBIDDEN,
  RateLimited: HttpStatus.TOO_MANY_REQUESTS,
  NodeNotFound: HttpStatus.NOT_FOUND,
  VmNotFound: HttpStatus.NOT_FOUND,
  MigrationNotFound: HttpStatus.NOT_FOUND,
  PlanNotFound: HttpStatus.NOT_FOUND,
  PolicyNotFound: HttpStatus.NOT_FOUND,
  TokenNotFound: HttpStatus.NOT_FOUND,
  RouteNotFound: HttpStatus.NOT_FOUND,
  NameTaken: HttpStatus.CONFLICT,
  CapacityExceeded: HttpStatus.CONFLICT,
  NoFeasibleNode: HttpStatus.CONFLICT,
  NodeNotSchedulable: HttpStatus.CONFLICT,
  VmNotMigratable: HttpStatus.CONFLICT,
  MigrationInProgress: HttpStatus.CONFLICT,
  SlaUnattainable: HttpStatus.CONFLICT,
  InvalidTransition: HttpStatus.CONFLICT,
  PlanStale: HttpStatus.CONFLICT,
  PlanFailed: HttpStatus.CONFLICT,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** Every error leaves the API as {statusCode, error, message, details?}. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger("errors");

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    response.status(body.statusCode).json(body);
  }

  private toBody(thrown: unknown): ErrorBody {
    const exception = fromLibraryError(thrown) ?? thrown;
    if (exception instanceof FerryError) {
      const body: ErrorBody = { statusCode: STATUS[exception.code], error: exception.code, message: exception.message };
      if (exception.details !== undefined) body.details = exception.details;
      return body;
    }
    if (exception instanceof HttpException) {
      // Framework-level rejections: unknown routes, unparsable JSON, oversized bodies.
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const message =
        typeof raw === "object" && raw !== null && "message" in raw ? String((raw as { message: unknown }).message) : exception.message;
      const error = status === 404 ? "RouteNotFound" : status === 400 ? "ValidationFailed" : exception.name;
      return { statusCode: status, error, message };
    }
    return { statusCode: 500, error: "InternalError", message: "internal error" };
  }
}
