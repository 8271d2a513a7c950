/** The board that always exists, the default of every route that names none (SPEC 2a). */
export const GLOBAL_BOARD = 'global';
