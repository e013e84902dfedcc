import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";
import { ErrorBanner, Skeleton } from "../components/Feedback";
import { PageHeader } from "../components/Layout";
import type { TicketCategory } from "../gql/graphql";
import { FileDrop } from "../support/FileDrop";
import { NewTicketQuery, OpenTicketMutation } from "../support/operations";
import { asSentence } from "../userErrors";
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
    if (!category) return setProblem("Choose what the problem is about.");
    if (!subject.trim()) return setProblem("Give the ticket a short subject.");
    if (!description.trim()) return setProblem("Describe the problem.");
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
    else setProblem(result.errors?.[0]?.message ?? "The ticket could not be sent. Please try again.");
  }

  return (
    <>
      <PageHeader title="New ticket" subtitle="Tell us what is wrong; we answer in the portal and by e-mail." />
      <p>
        <Link to="/support">← All tickets</Link>
      </p>
      <form
        className="card form new-ticket"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>What is it about?</span>
          <select value={category} onChange={(e) => setCategory(e.target.value as TicketCategory)} required data-testid="ticket-category">
            <option value="">Choose…</option>
            {categories.map((c) => (
              <option key={c.category} value={c.category}>
                {c.label}
              </option>
            ))}
          </select>
          {chosen ? (
            <span className="muted small" data-testid="ticket-category-sla">
              Handled by {chosen.queue}: first answer within {hours(chosen.firstResponseMinutes)}, resolution within{" "}
              {hours(chosen.resolutionMinutes)}.
            </span>
          ) : null}
        </label>
        <label className="field">
          <span>Service</span>
          <select value={subServiceId} onChange={(e) => setSubServiceId(e.target.value)} data-testid="ticket-subservice">
            <option value="">The account in general</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Subject</span>
          <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={200} required data-testid="ticket-subject" />
        </label>
        <label className="field">
          <span>Description</span>
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={6} maxLength={10000} required data-testid="ticket-description" />
        </label>
        <FileDrop files={files} onChange={setFiles} progress={progress} disabled={sending} />
        {problem ? (
          <p className="field__error" role="alert" data-testid="ticket-error">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={sending} data-testid="ticket-submit">
          {sending ? "Sending…" : "Open ticket"}
        </button>
      </form>
    </>
  );
}
