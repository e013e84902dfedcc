import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { ErrorBanner, Skeleton } from "../components/Feedback";
import { PageHeader } from "../components/Layout";
import type { TicketCategory } from "../gql/graphql";
import { FileDrop } from "../support/FileDrop";
import { NewTicketQuery, OpenTicketMutation } from "../support/operations";
import { asSentence } from "../userErrors";
import { t } from "../i18n";
import { label } from "../labels";
import { TICKET_CATEGORY_LABEL } from "../support/labels";
import { uploadWithRefresh } from "../support/upload";

function hours(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** "New ticket": category (as the CRM routes it), sub-service, subject, description, files with progress. */
export function SupportNewPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: NewTicketQuery });
  const [category, setCategory] = useState<TicketCategory | "">("");
  const [subServiceId, setSubServiceId] = useState(params.get("service") ?? "");
  const [subject, setSubject] = useState("");
  const [description, setDescription] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  if (fetching && !data) return <Skeleton lines={6} />;
  if (error && !data) return <ErrorBanner error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  const categories = data?.ticketCategories ?? [];
  const services = data?.viewer?.subscriber.subServices?.nodes ?? [];
  const chosen = categories.find((c) => c.category === category);

  async function submit() {
    if (!category) return setProblem(t("newTicket.chooseCategory"));
    if (!subject.trim()) return setProblem(t("newTicket.needSubject"));
    if (!description.trim()) return setProblem(t("newTicket.needDescription"));
    setSending(true);
    setProblem(null);
    setProgress(0);
    const result = await uploadWithRefresh(
      OpenTicketMutation,
      { input: { category, subject, description, subServiceId: subServiceId || null } },
      files,
      setProgress,
    );
    setSending(false);
    const payload = result.data?.openTicket;
    if (payload?.ticket) {
      navigate(`/support/${payload.ticket.number}`);
      return;
    }
    setProgress(null);
    if (payload?.userErrors.length) setProblem(payload.userErrors.map((e) => asSentence(e.message)).join(" "));
    else setProblem(result.errors?.[0]?.message ?? t("newTicket.notSent"));
  }

  return (
    <>
      <PageHeader title={t("support.new")} subtitle={t("newTicket.subtitle")} />
      <p>
        <Link to="/support">← {t("newTicket.allTickets")}</Link>
      </p>
      <form
        className="card form new-ticket"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>{t("newTicket.about")}</span>
          <select value={category} onChange={(e) => setCategory(e.target.value as TicketCategory)} required data-testid="ticket-category">
            <option value="">{t("newTicket.choose")}</option>
            {categories.map((c) => (
              <option key={c.category} value={c.category}>
                {label(TICKET_CATEGORY_LABEL, c.category as TicketCategory)}
              </option>
            ))}
          </select>
          {chosen ? (
            <span className="muted small" data-testid="ticket-category-sla">
              {t("newTicket.handledBy", {
                queue: chosen.queue,
                first: hours(chosen.firstResponseMinutes),
                resolution: hours(chosen.resolutionMinutes),
              })}
            </span>
          ) : null}
        </label>
        <label className="field">
          <span>{t("dashboard.service")}</span>
          <select value={subServiceId} onChange={(e) => setSubServiceId(e.target.value)} data-testid="ticket-subservice">
            <option value="">{t("newTicket.general")}</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t("newTicket.subject")}</span>
          <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={200} required data-testid="ticket-subject" />
        </label>
        <label className="field">
          <span>{t("newTicket.description")}</span>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={6} maxLength={10000} required data-testid="ticket-description" />
        </label>
        <FileDrop files={files} onChange={setFiles} progress={progress} disabled={sending} />
        {problem ? (
          <p className="field__error" role="alert" data-testid="ticket-error">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={sending} data-testid="ticket-submit">
          {sending ? t("forgot.sending") : t("newTicket.open")}
        </button>
      </form>
    </>
  );
}
