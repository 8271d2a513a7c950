import type { ArgumentMetadata } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ListScoresQuery } from '../scores/dto/score.dto';
import { toErrorBody } from './api-exception.filter';
import { createValidationPipe } from './validation';

const pipe = createValidationPipe();
const QUERY: ArgumentMetadata = { type: 'query', metatype: ListScoresQuery, data: undefined };

async function refusal(value: unknown) {
  try {
    await pipe.transform(value, QUERY);
    return null;
  } catch (error) {
    return toErrorBody(error);
  }
}

describe('the validation pipe', () => {
  it('refuses a field named after a member of Object.prototype, which class-validator lets through', async () => {
    expect(await refusal({ toString: '1' })).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'toString is not an allowed field',
      errors: [{ field: 'toString', message: 'toString is not an allowed field' }],
    });
  });

  it('lists the unknown fields first, in the order sent, then the others’ problems', async () => {
    expect(await refusal({ other: 'x', board: 'NOT A BOARD', valueOf: '1', extra: '2' })).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message:
        'other is not an allowed field; valueOf is not an allowed field; extra is not an allowed field; board must be a board id',
      errors: [
        { field: 'other', message: 'other is not an allowed field' },
        { field: 'valueOf', message: 'valueOf is not an allowed field' },
        { field: 'extra', message: 'extra is not an allowed field' },
        { field: 'board', message: 'board must be a board id' },
      ],
    });
  });

  it('passes a query of declared fields', async () => {
    expect(await refusal({ board: 'global' })).toBeNull();
  });
});
