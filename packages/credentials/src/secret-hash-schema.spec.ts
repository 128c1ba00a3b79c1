import { hashSecret } from './secret-hash';
import { scryptHashSchema } from './secret-hash-schema';

describe('scryptHashSchema', () => {
  it('accepts what hashSecret prints', () => {
    const hash = hashSecret('correct horse', { n: 1024, r: 8, p: 1 });
    expect(scryptHashSchema.parse(hash)).toBe(hash);
  });

  it('refuses a password in clear, saying what is expected', () => {
    const result = scryptHashSchema.safeParse('hunter2');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/expected a hash printed by hash-password/);
  });

  it('refuses a cost the check would refuse (N = 2^32)', () => {
    const hash = hashSecret('x', { n: 1024, r: 8, p: 1 }).replace(/^scrypt\$1024\$/, 'scrypt$4294967296$');
    expect(scryptHashSchema.safeParse(hash).success).toBe(false);
  });
});
