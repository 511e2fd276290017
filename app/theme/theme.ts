/**
 * The reader's colour theme: "system" follows prefers-color-scheme; "light" and "dark"
 * force one. Shared by the server (cookie) and the page (toggle, <html> class).
 */
export const THEME_CHOICES = ['system', 'light', 'dark'] as const
export type ThemeChoice = (typeof THEME_CHOICES)[number]

export function parseThemeChoice(value: unknown): ThemeChoice | null {
  return typeof value === 'string' && (THEME_CHOICES as readonly string[]).includes(value)
    ? (value as ThemeChoice)
    : null
}

/** `<meta name="color-scheme">` for a choice: the browser's own widgets and scrollbars follow it. */
export function colorSchemeFor(theme: ThemeChoice): string {
  return theme === 'system' ? 'light dark' : theme
}
