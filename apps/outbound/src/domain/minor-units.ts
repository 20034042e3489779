/** A minor-unit amount as decimal text with `digits` fraction digits, e.g. (123456n, 2) -> `1234.56`. */
export function minorToDecimal(minor: bigint, digits: number): string {
  const sign = minor < 0n ? '-' : '';
  const units = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${units}`;
  return `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}
