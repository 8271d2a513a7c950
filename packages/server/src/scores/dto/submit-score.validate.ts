import { maxLength } from 'class-validator';
import { BadRequestException } from '@nestjs/common';
import { ValidationFailed, type FieldError } from '../../common/api-exception.filter';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency-key';
import { metadataProblem } from '../score-metadata';
import type { SubmitScoreDto } from './submit-score.dto';

/** The fields SubmitScoreDto declares, in its order: any other is refused. */
const FIELDS = new Set(['value', 'idempotency_key', 'board', 'user_id', 'metadata']);
const USER_ID_TEXT = /^[\x21-\x7e]{1,64}$/;
const BOARD_MAX_LENGTH = 64;

/**
 * POST /api/scores' body checked as the global ValidationPipe checks it against SubmitScoreDto
 * (the same fields, the same first problem per field, the same messages in the same order), in
 * straight-line code instead of class-transformer and class-validator's metadata walk: the hot
 * route's lean path (lean-submit.ts) runs this. Throws what the pipe throws: 400 for a body that
 * is not a JSON object, ValidationFailed with each field's first problem. test/submit-score-validate.test.ts holds the two
 * equal on arbitrary bodies, so a change to the DTO that is not made here too fails there.
 */
export function checkSubmitScore(body: unknown): SubmitScoreDto {
  // No body at all is an empty object (the pipe's rule): it then lacks `value`.
  const object = body === undefined ? {} : body;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new BadRequestException('Request body must be a JSON object');
  }
  const fields = object as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const field of Object.keys(fields)) {
    if (!FIELDS.has(field)) errors.push({ field, message: `${field} is not an allowed field` });
  }
  const { value, idempotency_key: key, board, user_id: userId, metadata } = fields;
  if (value === undefined || value === null) {
    errors.push({ field: 'value', message: 'value is required' });
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ field: 'value', message: 'value must be an integer' });
  }
  if (
    key !== undefined &&
    key !== null &&
    !(typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key))
  ) {
    errors.push({
      field: 'idempotency_key',
      message: 'idempotency_key must be a string of 1 to 255 visible ASCII characters',
    });
  }
  if (board !== undefined && board !== null) {
    if (typeof board !== 'string') {
      errors.push({ field: 'board', message: 'board must be a string' });
    } else if (!maxLength(board, BOARD_MAX_LENGTH)) {
      // class-validator's own count (a surrogate pair is one character), as the DTO's MaxLength.
      errors.push({
        field: 'board',
        message: `board must be at most ${BOARD_MAX_LENGTH} characters`,
      });
    }
  }
  if (userId !== undefined && userId !== null && !isUserId(userId)) {
    errors.push({
      field: 'user_id',
      message: 'user_id must be a user id (a string or a non-negative integer)',
    });
  }
  if (metadata !== undefined) {
    const problem = metadataProblem(metadata);
    if (problem) errors.push({ field: 'metadata', message: problem });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
  return fields as unknown as SubmitScoreDto;
}

function isUserId(value: unknown): boolean {
  return (
    (typeof value === 'string' && USER_ID_TEXT.test(value)) ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  );
}
