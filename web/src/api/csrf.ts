// The BFF sets a readable `wg_csrf` cookie at login; every POST must echo it in `X-CSRF-Token` (double submit).
// It is read at request time because the server may rotate it (login, refresh).

export const CSRF_COOKIE = "wg_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

export function readCookie(name: string, cookieString: string = document.cookie): string | null {
  for (const part of cookieString.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}

export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE);
}
