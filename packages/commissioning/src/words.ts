/* Numbers and lists as a person reads them in a finding. */

/** −12.5 with a real minus sign (a hyphen reads as a dash in prose). */
function signed(text: string): string {
  return text.startsWith('-') ? `\u2212${text.slice(1)}` : text;
}

export function volts(value: number, digits = 2): string {
  return `${signed(value.toFixed(digits))} V`;
}

/** One decimal, none from 100 °C on (or `digits` as given). */
export function celsius(value: number, digits = Math.abs(value) >= 99.95 ? 0 : 1): string {
  return `${signed(value.toFixed(digits))} °C`;
}

export function percent(share: number): string {
  const value = share * 100;
  return `${value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(1)} %`;
}

/** "1", "1 and 2", "1, 2 and 4". */
export function listOf(items: readonly (string | number)[]): string {
  const texts = items.map(String);
  if (texts.length <= 1) return texts.join('');
  return `${texts.slice(0, -1).join(', ')} and ${texts[texts.length - 1]}`;
}

/** Addresses with runs of three or more shortened: [1, 2, 3, 5] → "1–3 and 5", [1, 3, 4] → "1, 3 and 4". */
export function addressList(addresses: readonly number[]): string {
  const sorted = [...addresses].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) parts.push(`${sorted[i]}–${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(`${sorted[k]}`);
    i = j + 1;
  }
  return listOf(parts);
}

/** "module 3" or "modules 3 and 4". */
export function modulesWord(addresses: readonly number[]): string {
  return `${addresses.length === 1 ? 'module' : 'modules'} ${addressList(addresses)}`;
}

/** "1 scan", "20 scans". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
