export type AuthMode = 'login' | 'signup';
export type CredentialProblems = { email?: string; password?: string };

/** Something, an @, something: the server judges the rest. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/**
 * What is missing or malformed in the login or signup form before anything is sent; the server
 * has the last word (a taken email, wrong credentials).
 */
export function credentialProblems(
  mode: AuthMode,
  email: string,
  password: string,
): CredentialProblems {
  const problems: CredentialProblems = {};
  const trimmed = email.trim();
  if (trimmed === '') problems.email = 'Enter your email address.';
  else if (!EMAIL_SHAPE.test(trimmed))
    problems.email = 'Enter an email address such as name@example.com.';
  if (password === '') problems.password = 'Enter your password.';
  else if (mode === 'signup' && (password.length < 8 || password.length > 128))
    problems.password = 'Use 8 to 128 characters.';
  return problems;
}
