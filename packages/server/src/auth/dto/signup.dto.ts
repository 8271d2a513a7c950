import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';

/** A display name: 1 to 32 printable characters, not only spaces. */
const DISPLAY_NAME = /^(?=.*\S)[^\p{C}]{1,32}$/u;
const DISPLAY_NAME_RULE = 'display_name must be 1 to 32 printable characters';

export class SignupDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsDefined({ message: 'email is required' })
  @IsString({ message: 'email must be a string' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsDefined({ message: 'password is required' })
  @IsString({ message: 'password must be a string' })
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  password: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 32, example: 'Ada' })
  @IsOptional()
  @IsString({ message: 'display_name must be a string' })
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_RULE })
  display_name?: string;
}

export class UpdateMeDto {
  @ApiProperty({ minLength: 1, maxLength: 32, example: 'Ada' })
  @IsDefined({ message: 'display_name is required' })
  @IsString({ message: 'display_name must be a string' })
  @Matches(DISPLAY_NAME, { message: DISPLAY_NAME_RULE })
  display_name: string;
}
