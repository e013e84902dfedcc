import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { useViewer } from "../api/auth";
import { useLiveSubscription, useResync } from "../api/useLive";
import { EmptyState, ErrorBanner, Skeleton } from "../components/Feedback";
import { PageHeader } from "../components/Layout";
import { LiveIndicator } from "../components/LiveIndicator";
import { formatDateTime, formatRelative } from "../format";
import { label } from "../labels";
import { t as tr } from "../i18n";
import type { TicketFieldsFragment } from "../gql/graphql";
import { FileDrop } from "../support/FileDrop";
import { eventText, isDone, TICKET_CATEGORY_LABEL, TICKET_STATUS_LABEL } from "../support/labels";
import {
  CloseTicketMutation,
  RateTicketMutation,
  ReopenTicketMutation,
  ReplyToTicketMutation,
  TicketChangedSubscription,
  TicketQuery,
} from "../support/operations";
import { SlaMeter } from "../support/SlaMeter";
import { asSentence } from "../userErrors";
import { formatBytes, uploadWithRefresh } from "../support/upload";

type Ticket = TicketFieldsFragment;

/** One ticket: its conversation with files (pictures previewed), SLA, history; reply, close, reopen, rate. */
export function SupportTicketPage() {
  const { number = "" } = useParams();
  const viewer = useViewer();
  const readOnly = viewer.role === "VIEWER";
  const [{ data, fetching, error }, reexecute] = useQuery({ query: TicketQuery, variables: { number } });
  // The newest state we were told about (a mutation's answer, ticketChanged) until the next read replaces it.
  const [live, setLive] = useState<Ticket | null>(null);
  const loaded = data?.viewer?.subscriber.ticket ?? null;
  const ticket = live && loaded && live.id === loaded.id && live.updatedAt >= loaded.updatedAt ? live : (loaded ?? live);
  const reload = () => reexecute({ requestPolicy: "network-only" });
  useLiveSubscription(TicketChangedSubscription, {}, (d) => {
    if (d.ticketChanged.number === number) setLive(d.ticketChanged);
  });
  useResync(reload);

  if (fetching && !data) return <Skeleton lines={6} />;
  if (error && !ticket) return <ErrorBanner error={error} onRetry={reload} />;
  if (!ticket) {
    return (
      <>
        <PageHeader title={tr("ticket.notFound")} />
        <EmptyState title={tr("ticket.noSuch")}>
          <p>
            {tr("ticket.noSuchHelp")} <Link to="/support">{tr("ticket.back")}</Link>
          </p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={ticket.subject}
        subtitle={
          <>
            {ticket.number} · {label(TICKET_CATEGORY_LABEL, ticket.category)}
            {ticket.subService ? ` · ${ticket.subService.label}` : ""} · {ticket.queue}
          </>
        }
        actions={<LiveIndicator />}
      />
      <p>
        <Link to="/support">← {tr("newTicket.allTickets")}</Link>
      </p>
      <div className="ticket-layout">
        <section className="ticket-thread" aria-label={tr("ticket.conversation")}>
          <ol className="thread" data-testid="thread">
            {ticket.messages.map((m) => (
              <li key={m.id} className={`message ${m.fromSupport ? "message--support" : "message--customer"}`} data-testid="message" data-from={m.fromSupport ? "support" : "customer"}>
                <p className="message__meta">
                  <strong>{m.authorName}</strong>
                  {m.fromSupport ? ` ${tr("ticket.supportMark")}` : ""} ·{" "}
                  <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
                    {formatRelative(m.createdAt)}
                  </time>
                </p>
                <p className="message__body">{m.body}</p>
                {m.attachments.length > 0 ? (
                  <ul className="attachments">
                    {m.attachments.map((a) => (
                      <li key={a.id} className="attachment" data-testid="attachment">
                        {a.isImage ? (
                          <a href={a.url} download={a.filename}>
                            <img className="attachment__preview" src={a.url} alt={a.filename} data-testid="attachment-preview" />
                          </a>
                        ) : null}
                        <a href={a.url} download={a.filename} className="attachment__name">
                          {a.filename}
                        </a>
                        <span className="muted small"> {formatBytes(a.sizeBytes)}</span>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
          {readOnly ? (
            <p className="muted small">{tr("ticket.readOnly")}</p>
          ) : ticket.status === "CLOSED" ? null : (
            <ReplyForm ticket={ticket} onDone={setLive} />
          )}
        </section>
        <aside className="ticket-side">
          <section className="card">
            <h2 className="card__title">{tr("invoices.col.status")}</h2>
            <p>
              <span className={`badge badge--ticket-${ticket.status.toLowerCase()}`} data-testid="ticket-status">
                {label(TICKET_STATUS_LABEL, ticket.status)}
              </span>
            </p>
            <SlaMeter sla={ticket.sla} />
            {readOnly ? null : <TicketActions ticket={ticket} onDone={setLive} />}
          </section>
          {ticket.rating ? (
            <section className="card" data-testid="rating-shown">
              <h2 className="card__title">{tr("ticket.yourRating")}</h2>
              <p className="stars" aria-label={tr("ticket.scoreOf5", { score: ticket.rating.score })}>
                {"★".repeat(ticket.rating.score)}
                {"☆".repeat(5 - ticket.rating.score)}
              </p>
              {ticket.rating.comment ? <p className="small">{ticket.rating.comment}</p> : null}
            </section>
          ) : ticket.canRate && !readOnly ? (
            <RatingForm ticket={ticket} onDone={setLive} />
          ) : null}
          <section className="card">
            <h2 className="card__title">{tr("ticket.history")}</h2>
            <ol className="history" data-testid="history">
              {ticket.events.map((e) => (
                <li key={e.id} data-kind={e.kind}>
                  <span>{eventText(e)}</span>{" "}
                  <time className="muted small" dateTime={e.createdAt}>
                    {formatDateTime(e.createdAt)}
                  </time>
                </li>
              ))}
            </ol>
          </section>
        </aside>
      </div>
    </>
  );
}

function ReplyForm({ ticket, onDone }: { ticket: Ticket; onDone: (t: Ticket) => void }) {
  const [body, setBody] = useState("");
  const [files, setFiles] = useState<File[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  async function send() {
    if (!body.trim()) {
      setProblem(tr("ticket.writeFirst"));
      return;
    }
    setSending(true);
    setProblem(null);
    setProgress(0);
    const result = await uploadWithRefresh(ReplyToTicketMutation, { input: { ticketId: ticket.id, body } }, files, setProgress);
    setSending(false);
    setProgress(null);
    const payload = result.data?.replyToTicket;
    if (payload?.ticket) {
      onDone(payload.ticket);
      setBody("");
      setFiles([]);
    } else if (payload?.userErrors.length) setProblem(payload.userErrors.map((e) => asSentence(e.message)).join(" "));
    else setProblem(result.errors?.[0]?.message ?? tr("ticket.replyNotSent"));
  }

  return (
    <form
      className="card form reply-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label className="field">
        <span>{tr("ticket.yourReply")}</span>
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={4} maxLength={10000} data-testid="reply-body" />
      </label>
      <FileDrop files={files} onChange={setFiles} progress={progress} disabled={sending} />
      {problem ? (
        <p className="field__error" role="alert" data-testid="reply-error">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary" disabled={sending} data-testid="reply-send">
        {sending ? tr("forgot.sending") : isDone(ticket.status) ? tr("ticket.replyReopen") : tr("ticket.sendReply")}
      </button>
    </form>
  );
}

function TicketActions({ ticket, onDone }: { ticket: Ticket; onDone: (t: Ticket) => void }) {
  const [, close] = useMutation(CloseTicketMutation);
  const [, reopen] = useMutation(ReopenTicketMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<{ ticket?: Ticket | null; userErrors: { message: string }[] } | null | undefined>) {
    setBusy(true);
    setProblem(null);
    const payload = await action();
    setBusy(false);
    if (payload?.ticket) onDone(payload.ticket);
    else setProblem(payload?.userErrors.map((e) => asSentence(e.message)).join(" ") || tr("ticket.didNotWork"));
  }

  return (
    <div className="ticket-actions">
      {isDone(ticket.status) ? (
        <button
          type="button"
          className="btn btn--secondary btn--small"
          disabled={busy}
          data-testid="reopen-ticket"
          onClick={() => void run(async () => (await reopen({ input: { ticketId: ticket.id } })).data?.reopenTicket)}
        >
          {tr("ticket.reopen")}
        </button>
      ) : null}
      {ticket.status !== "CLOSED" ? (
        <button
          type="button"
          className="btn btn--ghost btn--small"
          disabled={busy}
          data-testid="close-ticket"
          onClick={() => void run(async () => (await close({ input: { ticketId: ticket.id } })).data?.closeTicket)}
        >
          {tr("ticket.close")}
        </button>
      ) : null}
      {problem ? <p className="field__error small">{problem}</p> : null}
    </div>
  );
}

function RatingForm({ ticket, onDone }: { ticket: Ticket; onDone: (t: Ticket) => void }) {
  const [, rate] = useMutation(RateTicketMutation);
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  async function submit() {
    if (score < 1) {
      setProblem(tr("ticket.chooseStars"));
      return;
    }
    const result = await rate({ input: { ticketId: ticket.id, score, comment: comment || null } });
    const payload = result.data?.rateTicket;
    if (payload?.ticket) onDone(payload.ticket);
    else setProblem(payload?.userErrors.map((e) => asSentence(e.message)).join(" ") || tr("ticket.ratingNotSaved"));
  }

  return (
    <form
      className="card form"
      data-testid="rating-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 className="card__title">{tr("ticket.howDidWeDo")}</h2>
      <div className="stars-input" role="radiogroup" aria-label={tr("ticket.rating")}>
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            aria-checked={score === n}
            aria-label={tr("ticket.stars", { count: n })}
            className={`star ${n <= score ? "star--on" : ""}`}
            data-testid={`rate-${n}`}
            onClick={() => setScore(n)}
          >
            ★
          </button>
        ))}
      </div>
      <label className="field">
        <span>{tr("ticket.comment")}</span>
        <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={2} maxLength={2000} data-testid="rating-comment" />
      </label>
      {problem ? <p className="field__error small">{problem}</p> : null}
      <button type="submit" className="btn btn--primary btn--small" data-testid="rating-submit">
        {tr("ticket.sendRating")}
      </button>
    </form>
  );
}
