import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ChangePasswordDto, RegisterDto, ResetPasswordDto } from './dto/auth.dto';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems } from './password-policy';

describe('password policy', () => {
  it('accepts a password with 8 characters, an upper case letter, a lower case letter and a digit', () => {
    expect(passwordProblems('Abcdefg1')).toEqual([]);
  });

  it('refuses fewer than 8 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(passwordProblems('Abcdef1')).toEqual(['must be at least 8 characters long']);
  });

  it('refuses a password without an upper case letter', () => {
    expect(passwordProblems('abcdefg1')).toEqual(['must contain an upper case letter']);
  });

  it('refuses a password without a lower case letter', () => {
    expect(passwordProblems('ABCDEFG1')).toEqual(['must contain a lower case letter']);
  });

  it('refuses a password without a digit', () => {
    expect(passwordProblems('Abcdefgh')).toEqual(['must contain a digit']);
  });

  it('lists every rule an empty password breaks', () => {
    expect(passwordProblems('')).toEqual([
      'must be at least 8 characters long',
      'must contain an upper case letter',
      'must contain a lower case letter',
      'must contain a digit',
    ]);
  });

  it('accepts exactly the maximum length and refuses one character more', () => {
    expect(PASSWORD_MAX_LENGTH).toBe(128);
    const longest = `Ab1${'x'.repeat(PASSWORD_MAX_LENGTH - 3)}`;
    expect(passwordProblems(longest)).toEqual([]);
    expect(passwordProblems(`${longest}x`)).toEqual([
      `must be at most ${PASSWORD_MAX_LENGTH} characters long`,
    ]);
  });

  it('counts letters of any script as upper and lower case letters', () => {
    expect(passwordProblems('Пароль123')).toEqual([]); // Cyrillic
    expect(passwordProblems('Ÿéèàüöç7')).toEqual([]); // Latin with diacritics
    expect(passwordProblems('ΣίσυφοςΑ9')).toEqual([]); // Greek
    expect(passwordProblems('пароль123')).toEqual(['must contain an upper case letter']);
    expect(passwordProblems('ПАРОЛЬ123')).toEqual(['must contain a lower case letter']);
  });

  it('counts decimal digits of any script as digits', () => {
    expect(passwordProblems('Abcdefg٣')).toEqual([]); // ARABIC-INDIC DIGIT THREE
  });

  it('does not count letters without case (CJK) as upper or lower case letters', () => {
    expect(passwordProblems('密码密码密码密码1')).toEqual([
      'must contain an upper case letter',
      'must contain a lower case letter',
    ]);
  });

  it('counts characters, not UTF-16 code units, against the minimum length', () => {
    // Six characters; each emoji is two UTF-16 code units, so `.length` says 9.
    expect(passwordProblems('😀😀😀Ab1')).toContain('must be at least 8 characters long');
  });

  it('refuses anything that is not a string', () => {
    for (const value of [undefined, null, 12345678, ['Abcdefg1'], { password: 'Abcdefg1' }]) {
      expect(passwordProblems(value)).toEqual(['must be a string']);
    }
  });
});

describe('@IsStrongPassword on the DTOs', () => {
  const validRegistration = {
    email: 'ada@example.com',
    name: 'Ada',
    organizationName: 'Acme',
    password: 'Abcdefg1',
  };

  async function passwordErrors<T extends object>(
    dto: new () => T,
    body: Record<string, unknown>,
    field: string,
  ) {
    const errors = await validate(plainToInstance(dto, body));
    return errors.filter((error) => error.property === field);
  }

  it('passes a registration with a strong password', async () => {
    expect(await validate(plainToInstance(RegisterDto, validRegistration))).toEqual([]);
  });

  it('names the password field and lists everything missing in one message', async () => {
    const [error, ...others] = await passwordErrors(
      RegisterDto,
      { ...validRegistration, password: 'abc' },
      'password',
    );
    expect(others).toEqual([]);
    expect(error.constraints).toEqual({
      isStrongPassword:
        'password must be at least 8 characters long, must contain an upper case letter, must contain a digit',
    });
  });

  it('refuses a missing password with a message', async () => {
    const { password: _omitted, ...withoutPassword } = validRegistration;
    const [error] = await passwordErrors(RegisterDto, withoutPassword, 'password');
    expect(error.constraints?.isStrongPassword).toBe('password must be a string');
  });

  it('names newPassword when a password change sets a weak one', async () => {
    const [error] = await passwordErrors(
      ChangePasswordDto,
      { currentPassword: 'anything', newPassword: 'weakpass' },
      'newPassword',
    );
    expect(error.constraints?.isStrongPassword).toBe(
      'newPassword must contain an upper case letter, must contain a digit',
    );
  });

  it('applies to the password a reset sets', async () => {
    const [error] = await passwordErrors(
      ResetPasswordDto,
      { token: 'x'.repeat(43), password: 'NoDigitsHere' },
      'password',
    );
    expect(error.constraints?.isStrongPassword).toBe('password must contain a digit');
  });

  it('refuses an overlong password on registration', async () => {
    const [error] = await passwordErrors(
      RegisterDto,
      { ...validRegistration, password: `Ab1${'x'.repeat(200)}` },
      'password',
    );
    expect(error.constraints?.isStrongPassword).toBe(
      `password must be at most ${PASSWORD_MAX_LENGTH} characters long`,
    );
  });
});
