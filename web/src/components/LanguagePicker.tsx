import { useId, useState } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { LANGUAGE_NAME, LOCALES, toGraphQL, type Locale } from "../i18n";
import { useLocale, useT } from "../i18n/I18nProvider";
import { SET_LOCALE, userErrorText } from "../userErrors";
import { describeError } from "../api/errors";

const SetLocaleMutation = graphql(`
  mutation SetLocale($locale: Locale) {
    setLocale(input: { locale: $locale }) {
      viewer {
        locale
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/** The language of the portal. Signed in (`save`), the choice is kept by the CRM for every device, e-mails and
 * PDFs; on the sign-in page it is kept on this device only. Each language is named in itself. */
export function LanguagePicker({ save = false }: { save?: boolean }) {
  const t = useT();
  const { locale, choose } = useLocale();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, setLocale] = useMutation(SetLocaleMutation);

  async function change(next: Locale) {
    setError(null);
    if (!save) {
      choose(next);
      return;
    }
    const result = await setLocale({ locale: toGraphQL(next) });
    const payload = result.data?.setLocale;
    if (payload?.userErrors.length) setError(userErrorText(payload.userErrors, SET_LOCALE));
    else if (!payload?.viewer) setError(result.error ? describeError(result.error).title : t("common.tryAgainLater"));
    else choose(next);
  }

  return (
    <div className="field language-picker">
      <label htmlFor={id}>{t("language.label")}</label>
      <select
        id={id}
        value={locale}
        disabled={fetching}
        onChange={(e) => void change(e.target.value as Locale)}
        data-testid="language-picker"
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l === "pt" ? "pt-BR" : l}>
            {LANGUAGE_NAME[l]}
          </option>
        ))}
      </select>
      {error ? (
        <p className="form__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
