import { ApiProperty } from '@nestjs/swagger';

export class UserDto {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada' })
  display_name: string;
}

export class AuthResponseDto {
  @ApiProperty()
  access_token: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 86400 })
  expires_in: number;

  @ApiProperty({ type: UserDto })
  user: UserDto;
}

export class MeDto extends UserDto {
  @ApiProperty({ enum: ['player', 'admin'] })
  role: 'player' | 'admin';

  @ApiProperty({ example: '2026-11-24T10:00:00.000Z' })
  created_at: string;
}
