/**
 * NHS numbers are ten digits; the tenth is a modulus-11 check digit over the first nine
 * (weights 10..2). A remainder giving a check value of 10 means the number can never be valid.
 */
export function nhsCheckDigit(firstNine: string): number | null {
  if (!/^\d{9}$/.test(firstNine)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

export function isValidNhsNumber(value: string): boolean {
  const digits = value.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** NHS convention for display: 3-3-4 groups separated by spaces. */
export function formatNhsNumber(value: string): string {
  const d = value.replace(/\s+/g, '');
  return /^\d{10}$/.test(d) ? `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}` : value;
}

/** Synthetic test numbers live in the 999 range, which is never issued to real patients. */
export function isSyntheticNhsNumber(value: string): boolean {
  return isValidNhsNumber(value) && value.replace(/\s+/g, '').startsWith('999');
}

/** Builds the n-th valid synthetic number (999 + six digits + check), skipping impossible ones. */
export function syntheticNhsNumber(n: number): string {
  for (let k = n; k < n + 1_000_000; k++) {
    const body = `999${String(k % 1_000_000).padStart(6, '0')}`;
    const check = nhsCheckDigit(body);
    if (check !== null) return `${body}${check}`;
  }
  throw new Error('no valid synthetic NHS number found');
}
