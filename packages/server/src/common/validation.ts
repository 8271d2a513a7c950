import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
import { ValidationFailed, type FieldError } from './api-exception.filter';

/**
 * Bodies and queries are validated against their DTO classes: unknown fields are refused, nothing
 * is coerced (a string "5" is not an integer), and each field reports its first problem.
 */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(errors.flatMap(toFieldErrors)),
  });
}

function toFieldErrors(error: ValidationError): FieldError[] {
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    return [{ field: error.property, message: `${error.property} is not an allowed field` }];
  }
  const messages = Object.values(constraints);
  const own = messages.length > 0 ? [{ field: error.property, message: messages[0]! }] : [];
  return [...own, ...(error.children ?? []).flatMap(toFieldErrors)];
}

/**
 * A body that is not a JSON object (an array, a string) is refused as a whole; no body at all is
 * an empty object, so that a route whose fields are all optional needs none, and one with a
 * required field names it.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return super.transform(value, metadata);
    const body = value === undefined ? {} : value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('Request body must be a JSON object');
    }
    return super.transform(body, metadata);
  }
}
