import { describe, expect, it } from 'vitest';
import { makeBoard } from '../../test/make-board';
import { boardForm } from './board-form';

describe('boardForm: the display format and unit', () => {
  it('sends a new board’s format and unit only when they differ from the defaults', () => {
    const blank = { ...boardForm.blank(), id: 'lap', name: 'Lap' };
    expect(boardForm.createBody(blank)).not.toHaveProperty('display_format');
    expect(boardForm.createBody(blank)).not.toHaveProperty('unit');
    expect(
      boardForm.createBody({ ...blank, display_format: 'duration:ms', unit: ' s ' }),
    ).toMatchObject({ display_format: 'duration:ms', unit: 's' });
  });

  it('changes them on an existing board, and clears the unit with null', () => {
    const board = makeBoard({ id: 'lap', display_format: 'decimal:2', unit: 'km' });
    const values = boardForm.of(board);
    expect(values).toMatchObject({ display_format: 'decimal:2', unit: 'km' });
    expect(boardForm.changes(board, values)).toEqual({});
    expect(boardForm.changes(board, { ...values, unit: '' })).toEqual({ unit: null });
    expect(boardForm.changes(board, { ...values, display_format: 'integer' })).toEqual({
      display_format: 'integer',
    });
  });

  it('reads a board of a server without formats as whole numbers without a unit', () => {
    const board = makeBoard();
    expect(boardForm.of(board)).toMatchObject({ display_format: 'integer', unit: '' });
    expect(boardForm.changes(board, boardForm.of(board))).toEqual({});
  });
});
