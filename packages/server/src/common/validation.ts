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
 * The names every object answers through Object.prototype (`toString`, `valueOf`...).
 * class-validator's whitelist looks a field up among the declared ones in a plain object, finds
 * these there, and lets them through: they are refused here as any unknown field is.
 */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const isUnknownField = (error: FieldError) =>
  error.message === `${error.field} is not an allowed field`;

/**
 * A body that is not a JSON object (an array, a string) is refused as a whole; no body at all is
 * an empty object, so that a route whose fields are all optional needs none, and one with a
 * required field names it. A field named after a member of Object.prototype is unknown, in a
 * body or a query alike.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return this.refusingPrototypeNames(value, metadata);
    const body = value === undefined ? {} : value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('Request body must be a JSON object');
    }
    return this.refusingPrototypeNames(body, metadata);
  }

  private async refusingPrototypeNames(
    value: unknown,
    metadata: ArgumentMetadata,
  ): Promise<unknown> {
    const fields = typeof value === 'object' && value !== null ? Object.keys(value) : [];
    const named = fields.filter((field) => PROTOTYPE_NAMES.has(field));
    if (named.length === 0) return super.transform(value, metadata);
    let others: FieldError[] = [];
    try {
      await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      others = error.errors;
    }
    // As class-validator answers: the unknown fields first, in the order sent, then the others.
    const unknown = new Set([...named, ...others.filter(isUnknownField).map((e) => e.field)]);
    throw new ValidationFailed([
      ...fields
        .filter((field) => unknown.has(field))
        .map((field) => ({ field, message: `${field} is not an allowed field` })),
      ...others.filter((error) => !isUnknownField(error)),
    ]);
  }
}
