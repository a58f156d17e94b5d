/** The host of a page URL, as the subject of a detail line (`[::1]` → `::1`). */
export const hostOf = (url: string): string => new URL(url).hostname.replace(/^\[|\]$/g, '');
