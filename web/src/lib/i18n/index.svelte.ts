/** Translation: the current locale (persisted, mirrored on <html lang>) and t(key, params). */
import { en } from './en.js';
import { fr, type MessageKey } from './fr.js';

export type { MessageKey };
export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language is named in itself, so anyone can find theirs. */
export const LOCALE_NAMES: Record<Locale, string> = { fr: 'Français', en: 'English' };

const STORAGE_KEY = 'palabre:locale';
const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { fr, en };
/** Intl tags: en-GB gives a 24-hour clock and day-month dates, like the French UI. */
const INTL_TAGS: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

function initialLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be blocked (private mode, policies): French remains the default.
  }
  return 'fr';
}

class LocaleState {
  current = $state<Locale>(initialLocale());

  get intl(): string {
    return INTL_TAGS[this.current];
  }

  set(locale: Locale): void {
    this.current = locale;
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not persisted; the choice still applies to this tab.
    }
    applyLang(locale);
  }
}

function applyLang(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export const locale = new LocaleState();
applyLang(locale.current);

export type Params = Record<string, string | number>;

/** The message for key in the current locale, with {name} placeholders replaced. */
export function t(key: MessageKey, params?: Params): string {
  const template = DICTIONARIES[locale.current][key] ?? fr[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

/** Plural-aware t: picks `${base}.one` or `${base}.other` for count, with {count} filled in. */
export function tn(base: string, count: number, params?: Params): string {
  const category = new Intl.PluralRules(locale.intl).select(count) === 'one' ? 'one' : 'other';
  return t(`${base}.${category}` as MessageKey, { count, ...params });
}

/** True when key exists in the dictionaries (used to translate API error codes). */
export function hasKey(key: string): key is MessageKey {
  return key in fr;
}
