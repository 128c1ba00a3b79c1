import { z } from 'zod';
import { parseSecretHash } from './secret-hash';

/**
 * A config setting holding `scrypt$N$r$p$saltB64$hashB64`, as printed by `hash-password`, checked
 * by the parser the credential check uses: a cost it would refuse (N = 2^32) is refused when the
 * configuration is read, naming the setting, instead of stopping the output at start.
 */
export const scryptHashSchema = z.string().superRefine((text, ctx) => {
  try {
    parseSecretHash(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.addIssue({
      code: 'custom',
      message: `${reason} (expected a hash printed by hash-password, never the password itself)`,
    });
  }
});
