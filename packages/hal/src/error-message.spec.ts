import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it('is the message of an Error, of an error-like object from another realm, or the value as text', () => {
    expect(errorMessage(new RangeError('too far'))).toBe('too far');
    expect(errorMessage({ message: 'EROFS: read-only file system', code: 'EROFS' })).toBe(
      'EROFS: read-only file system',
    );
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage({ message: 42 })).toBe('[object Object]');
    expect(errorMessage(null)).toBe('null');
  });
});
