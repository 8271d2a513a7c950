import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toErrorBody } from '../../common/api-exception.filter';
import { hostileBodyProblem } from '../../common/request-guards';
import { createValidationPipe } from '../../common/validation';
import { SubmitScoreDto } from './submit-score.dto';
import { checkSubmitScore } from './submit-score.validate';

const BODY: ArgumentMetadata = { type: 'body', metatype: SubmitScoreDto, data: undefined };
const pipe = createValidationPipe();

/** What the Nest route's pipe makes of a body: the fields it passes on, or the error answered. */
async function throughPipe(body: unknown): Promise<unknown> {
  try {
    const dto = (await pipe.transform(body, BODY)) as Record<string, unknown>;
    return { fields: { ...dto } };
  } catch (error) {
    return { error: toErrorBody(error) };
  }
}

/** The same, from the compiled check. */
function throughCheck(body: unknown): unknown {
  try {
    return { fields: { ...checkSubmitScore(body) } };
  } catch (error) {
    return { error: toErrorBody(error) };
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.constantFrom(
    '',
    ' ',
    'abc',
    'x'.repeat(64),
    'x'.repeat(65),
    '😀'.repeat(40),
    'é\uFE0F'.repeat(40),
  ),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e300, Number.MAX_SAFE_INTEGER + 2, null, true, false),
  text,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 5 }), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 6 }),
);
/** A field name of a body, members of Object.prototype among them (`toString`, `valueOf`...). */
const fieldName = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)),
);
const field = fc.constantFrom('value', 'idempotency_key', 'board', 'user_id', 'metadata');
const body = fc.oneof(
  fc.dictionary(fc.oneof(field, fieldName), anyValue, { maxKeys: 7 }),
  fc.record(
    {
      value: fc.oneof(fc.integer(), anyValue),
      idempotency_key: fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,255}$/), anyValue),
      board: fc.oneof(fc.constantFrom('global', 'race'), anyValue),
      user_id: fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,19}$/), anyValue),
      metadata: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
  fc.constant(undefined),
);

describe('the compiled check of POST /api/scores’ body', () => {
  it('answers every body exactly as the ValidationPipe does with SubmitScoreDto', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        // As the JSON parser hands it over: what JSON can carry, nothing more.
        const parsed =
          sent === undefined ? undefined : (JSON.parse(JSON.stringify(sent) ?? 'null') as unknown);
        // Both stand behind the body guard, which refuses some bodies before either sees them.
        fc.pre(hostileBodyProblem(parsed) === undefined);
        expect(throughCheck(parsed)).toEqual(await throughPipe(parsed));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a field named as a member of Object.prototype, as the pipe does', async () => {
    for (const name of ['toString', 'hasOwnProperty', 'valueOf']) {
      const body = { value: 1, idempotency_key: 'k', [name]: 1 };
      const refusal = {
        error: {
          statusCode: 400,
          error: 'Bad Request',
          message: `${name} is not an allowed field`,
          errors: [{ field: name, message: `${name} is not an allowed field` }],
        },
      };
      expect(throughCheck(body)).toEqual(refusal);
      expect(await throughPipe(body)).toEqual(refusal);
    }
  });
});
