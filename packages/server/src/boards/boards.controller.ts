import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { CurrentUser, type AuthenticatedUser } from '../common/current-user';
import { BoardsService } from './boards.service';
import { BoardDto, BoardListDto, CreateBoardDto, UpdateBoardDto } from './dto/board.dto';

@ApiTags('boards')
@Controller('boards')
export class BoardsController {
  constructor(private readonly boards: BoardsService) {}

  @Get()
  @ApiOkResponse({ type: BoardListDto, description: 'The boards that are not archived' })
  async list(): Promise<BoardListDto> {
    return {
      items: await Promise.all((await this.boards.list()).map((b) => this.boards.toDto(b))),
    };
  }

  @Get(':board')
  @ApiOkResponse({ type: BoardDto })
  @ApiNotFoundResponse({ description: 'Board not found' })
  async get(@Param('board') id: string): Promise<BoardDto> {
    return this.boards.toDto(await this.boards.get(id));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller is not an admin' })
@UseGuards(AdminGuard)
@Controller('admin/boards')
export class AdminBoardsController {
  constructor(private readonly boards: BoardsService) {}

  @Post()
  @ApiCreatedResponse({ type: BoardDto })
  @ApiConflictResponse({ description: 'A board with this id exists' })
  create(@CurrentUser() admin: AuthenticatedUser, @Body() dto: CreateBoardDto): Promise<BoardDto> {
    return this.boards.create(dto, admin.id);
  }

  @Patch(':board')
  @ApiOkResponse({ type: BoardDto })
  @ApiNotFoundResponse({ description: 'Board not found' })
  update(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('board') id: string,
    @Body() dto: UpdateBoardDto,
  ): Promise<BoardDto> {
    return this.boards.update(id, dto, admin.id);
  }
}
