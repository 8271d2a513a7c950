import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** An optional integer query parameter in [min, max], with readable messages naming it. */
export function IntegerQueryParam(name: string, min: number, max: number, defaultValue: number) {
  const range = `${name} must be between ${min} and ${max}`;
  return applyDecorators(
    ApiProperty({ required: false, minimum: min, maximum: max, default: defaultValue }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: `${name} must be an integer` }),
    Min(min, { message: range }),
    Max(max, { message: range }),
  );
}
