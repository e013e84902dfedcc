import { AlertIcon } from "./Icons";

// The small notice a section shows when a system behind part of it is down: the rest of the section (and of the
// page) keeps working, and the sentence says what is missing and that it will come back.

const SYSTEM: Record<string, string> = {
  billing: "Billing",
  crm: "The account service",
  aaa: "Service status",
  oss: "Device and usage data",
};

const MISSING: Record<string, string> = {
  billing: "invoices and balance",
  crm: "your services and account details",
  aaa: "status and plan details",
  oss: "devices and usage",
};

/** "Billing is temporarily unavailable — invoices and balance will be back shortly." */
export function unavailableText(backend: string, missing?: string): string {
  const system = SYSTEM[backend] ?? "Part of the service";
  return `${system} is temporarily unavailable — ${missing ?? MISSING[backend] ?? "some details"} will be back shortly.`;
}

export function Unavailable({
  backends,
  missing = {},
}: {
  /** The failed backends (`outages(...)`); nothing is shown for none. */
  backends: readonly string[];
  /** What this section lacks without each backend, in words ("invoices and balance"), when not the default. */
  missing?: Partial<Record<string, string>>;
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
