/** A User-Agent told as people say it, for the sessions list. */
/** « Chrome », « Linux » from a User-Agent: enough to recognise one's own devices. */
export function describeAgent(agent: string | null): { browser: string; system: string } | null {
  if (!agent) return null;
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : null;
  const system = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(agent)
          ? 'macOS'
          : /Linux|X11/.test(agent)
            ? 'Linux'
            : null;
  if (!browser && !system) return null;
  return { browser: browser ?? '?', system: system ?? '?' };
}
