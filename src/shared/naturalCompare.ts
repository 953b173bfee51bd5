/**
 * Compares names the way people count: digit runs by their value, so `web-2` comes before
 * `web-10` (a StatefulSet's pods in order) as in VS Code's explorer; everything else by UTF-16
 * code unit, as kubectl sorts. Names equal but for leading zeros (`web-01`, `web-1`) are ordered
 * by code unit, so the order is total. No Intl: a collator would load ICU data on first paint.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const charA = a.charCodeAt(i);
    const charB = b.charCodeAt(j);
    if (isDigit(charA) && isDigit(charB)) {
      // Skip leading zeros, then the longer run is the larger number; same length: digit by digit.
      let startA = i;
      while (startA < a.length - 1 && a.charCodeAt(startA) === ZERO && isDigit(a.charCodeAt(startA + 1))) startA++;
      let startB = j;
      while (startB < b.length - 1 && b.charCodeAt(startB) === ZERO && isDigit(b.charCodeAt(startB + 1))) startB++;
      let endA = startA;
      while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
      let endB = startB;
      while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
      const lengthA = endA - startA;
      const lengthB = endB - startB;
      if (lengthA !== lengthB) return lengthA < lengthB ? -1 : 1;
      for (let k = 0; k < lengthA; k++) {
        const digitA = a.charCodeAt(startA + k);
        const digitB = b.charCodeAt(startB + k);
        if (digitA !== digitB) return digitA < digitB ? -1 : 1;
      }
      i = endA;
      j = endB;
      continue;
    }
    if (charA !== charB) return charA < charB ? -1 : 1;
    i++;
    j++;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  if (restA !== restB) return restA < restB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const ZERO = 48;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= 57;
}
