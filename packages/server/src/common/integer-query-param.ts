import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Plain decimal digits, optionally negative: not `0x10`, `1e2`, ` 5` or `5.0`. */
const DECIMAL_INTEGER = /^-?\d{1,15}$/;

/** An optional integer query parameter in [min, max], with readable messages naming it. */
export function IntegerQueryParam(name: string, min: number, max: number, defaultValue: number) {
  const range = `${name} must be between ${min} and ${max}`;
  return applyDecorators(
    ApiProperty({ required: false, minimum: min, maximum: max, default: defaultValue }),
    IsOptional(),
    // Anything else stays a string, which IsInt refuses.
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value,
    ),
    IsInt({ message: `${name} must be an integer` }),
    Min(min, { message: range }),
    Max(max, { message: range }),
  );
}
