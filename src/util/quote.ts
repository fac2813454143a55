/**
 * Quotes user input for an error message, cut to its first `max` characters: a 10 kB argument or line must
 * not flood the terminal, and the start is what the reader needs to recognise it.
 */
export const QUOTE_MAX = 200;

export function quote(input: string, max = QUOTE_MAX): string {
  if (input.length <= max) return JSON.stringify(input);
  return `${JSON.stringify(input.slice(0, max))}… (${input.length} characters)`;
}
