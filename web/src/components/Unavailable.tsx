import { AlertIcon } from "./Icons";
import { t, type MessageKey } from "../i18n";

// The small notice a section shows when a system behind part of it is down: the rest of the section (and of the
// page) keeps working, and the sentence says what is missing and that it will come back.

const SYSTEM: Record<string, MessageKey> = {
  billing: "backend.billing",
  crm: "unavailable.crm",
  aaa: "backend.aaa",
  oss: "backend.oss",
};

const MISSING: Record<string, MessageKey> = {
  billing: "missing.default.billing",
  crm: "missing.default.crm",
  aaa: "missing.default.aaa",
  oss: "missing.default.oss",
};

/** "Billing is temporarily unavailable — invoices and balance will be back shortly." */
export function unavailableText(backend: string, missing?: MessageKey): string {
  const system = t(SYSTEM[backend] ?? "backend.part");
  return t("unavailable.sentence", { system, missing: t(missing ?? MISSING[backend] ?? "missing.some") });
}

export function Unavailable({
  backends,
  missing = {},
}: {
  /** The failed backends (`outages(...)`); nothing is shown for none. */
  backends: readonly string[];
  /** What this section lacks without each backend, in words ("invoices and balance"), when not the default. */
  missing?: Partial<Record<string, MessageKey>>;
}) {
  if (backends.length === 0) return null;
  return (
    <>
      {backends.map((backend) => (
        <div key={backend} className="unavailable" role="status" data-testid="unavailable" data-backend={backend}>
          <AlertIcon className="unavailable__icon" />
          <span>{unavailableText(backend, missing[backend])}</span>
        </div>
      ))}
    </>
  );
}
