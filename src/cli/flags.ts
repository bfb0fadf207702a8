/**
 * Flags several commands share, typed with oclif's own flag kinds so that help, the manifest and
 * shell completion describe them as what they are.
 */
import { Flags } from '@oclif/core';

/**
 * `--templates DIR`: oclif's directory flag. Whether DIR is a directory is checked by
 * checkTemplatesDir (src/cli/valid-inventory.ts) before anything reads it, not by oclif's
 * `exists: true`, whose error ("Parsing --templates / No directory found at …") neither says what
 * belongs in DIR nor keeps sipbc's `sipbc: … hint: …` shape.
 */
export const templatesFlag = (description: string) => Flags.directory({ helpValue: '<dir>', description });

/**
 * `--only a,b` or `--only a --only b`: oclif splits the list. Non-greedy, so that
 * `--only dns inventory.yaml` leaves the inventory an argument.
 */
export const listFlag = (description: string) => Flags.string({ multiple: true, delimiter: ',', multipleNonGreedy: true, helpValue: '<group>,…', description });
