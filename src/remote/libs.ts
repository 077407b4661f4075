/**
 * Shell functions that only some steps use, sent with the phases whose steps name them (Step.lib) instead of in
 * the session prelude: the first exec request, which carries the prelude and the first phase, must stay under
 * MAX_SESSION_COMMAND. A later phase that sends one again only redefines it.
 */
import { FILE_INDEX_SH, TRANSFER_SH } from './sh/index.js';

/** Receiving the payload (`da_chunks`: length-prefixed chunks, as src/artifact/follow.ts frames them) and unpacking it. */
export const TRANSFER_LIB = TRANSFER_SH;

/** Stat signatures of a release's files and the file index built from them (upload writes it, verify reads it). */
export const FILE_INDEX_LIB = FILE_INDEX_SH;
