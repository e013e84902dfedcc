import { useCallback, useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { useClient, useMutation } from "urql";
import { NotificationReceivedSubscription } from "../api/liveOperations";
import { useLiveSubscription, useResync } from "../api/useLive";
import { formatDateTime, formatRelative } from "../format";
import { graphql } from "../gql";
import type { NotificationKind } from "../gql/graphql";
import { BellIcon } from "./Icons";
import { useT } from "../i18n/I18nProvider";

const NotificationsQuery = graphql(`
  query Notifications {
    viewer {
      subscriber {
        id
        notifications(first: 10) {
          unreadCount
          nodes {
            id
            kind
            title
            body
            read
            createdAt
            link {
              kind
              path
            }
          }
        }
      }
    }
  }
`);

const MarkNotificationsReadMutation = graphql(`
  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
    markNotificationsRead(input: $input) {
      unreadCount
      userErrors {
        field
        message
        code
      }
    }
  }
`);

interface Item {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  read: boolean;
  createdAt: string;
  link?: { kind: string; path: string } | null;
}

const SHOWN = 10;

/** The bell in the header: unread count and the last ten notifications, live. Each one opens what it is about
 * (its `link`) and is marked read then — by click, or by keyboard (Tab to it, Enter); "Mark all as read" clears
 * the count without opening anything. */
export function NotificationsBell() {
  const client = useClient();
  const navigate = useNavigate();
  const t = useT();
  const [, markRead] = useMutation(MarkNotificationsReadMutation);
  const [items, setItems] = useState<Item[]>([]);
  const [unread, setUnread] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();

  const load = useCallback(async () => {
    const result = await client.query(NotificationsQuery, {}, { requestPolicy: "network-only" }).toPromise();
    const connection = result.data?.viewer?.subscriber.notifications;
    if (connection) {
      setItems(connection.nodes);
      setUnread(connection.unreadCount);
      setFailed(false);
    } else if (result.error) setFailed(true);
    setLoaded(true);
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);
  useResync(() => void load());

  const markShownRead = useCallback(
    async (ids: string[]) => {
      if (ids.length === 0) return;
      setItems((list) => list.map((n) => (ids.includes(n.id) ? { ...n, read: true } : n)));
      const result = await markRead({ input: { ids } });
      const payload = result.data?.markNotificationsRead;
      if (payload && payload.userErrors.length === 0) setUnread(payload.unreadCount);
    },
    [markRead],
  );

  useLiveSubscription(NotificationReceivedSubscription, {}, (data) => {
    const n = data.notificationReceived;
    if (items.some((i) => i.id === n.id)) return;
    setItems((list) => (list.some((i) => i.id === n.id) ? list : [n, ...list].slice(0, SHOWN)));
    if (!n.read) setUnread((u) => u + 1);
  });

  function toggle() {
    setOpen((o) => !o);
  }

  /** Open what the notification is about (in-app, no reload) and mark it read. */
  function follow(n: Item) {
    if (!n.read) void markShownRead([n.id]);
    setOpen(false);
    if (n.link) navigate(n.link.path);
  }

  // Close on Escape (focus back to the bell) and on a click outside.
  useEffect(() => {
    if (!open) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  const countText = unread > 99 ? "99+" : String(unread);
  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="btn btn--ghost btn--small bell__button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread > 0 ? t("bell.labelUnread", { count: unread }) : t("bell.title")}
        onClick={toggle}
        data-testid="notifications-bell"
        data-unread={loaded ? unread : undefined}
      >
        <BellIcon />
        {unread > 0 ? (
          <span className="bell__count" data-testid="notifications-count" aria-hidden="true">
            {countText}
          </span>
        ) : null}
      </button>
      <span className="sr-only" aria-live="polite">
        {loaded && unread > 0 ? t("bell.unread", { count: unread }) : ""}
      </span>
      {open ? (
        <div ref={panel} id={panelId} className="bell__panel" role="region" aria-label={t("bell.title")}>
          <div className="bell__head">
            <p className="bell__title">{t("bell.title")}</p>
            {items.some((n) => !n.read) ? (
              <button
                type="button"
                className="btn btn--ghost btn--small"
                onClick={() => void markShownRead(items.filter((n) => !n.read).map((n) => n.id))}
                data-testid="notifications-mark-all"
              >
                {t("bell.markAll")}
              </button>
            ) : null}
          </div>
          {failed && items.length === 0 ? (
            <p className="muted small bell__empty">{t("bell.failed")}</p>
          ) : items.length === 0 ? (
            <p className="muted small bell__empty">{t("bell.empty")}</p>
          ) : (
            <ul className="bell__list">
              {items.map((n) => {
                const content = (
                  <>
                    <span className="bell__item-title">
                      {!n.read ? <span className="sr-only">{t("bell.unreadMark")} </span> : null}
                      {n.title}
                    </span>
                    <span className="bell__item-body">{n.body}</span>
                    <span className="bell__item-time">
                      <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                        {formatRelative(n.createdAt)}
                      </time>
                    </span>
                  </>
                );
                return (
                  <li
                    key={n.id}
                    className={`bell__item ${n.read ? "" : "bell__item--new"}`}
                    data-testid="notification-item"
                    data-kind={n.kind}
                    data-read={n.read ? "true" : "false"}
                  >
                    {n.link ? (
                      // The whole notification is one link: a click or Enter opens what it is about.
                      <a
                        href={n.link.path}
                        className="bell__item-link"
                        data-testid="notification-link"
                        onClick={(e) => {
                          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
                            if (!n.read) void markShownRead([n.id]); // opened in another tab
                            return;
                          }
                          e.preventDefault();
                          follow(n);
                        }}
                      >
                        {content}
                      </a>
                    ) : (
                      <div className="bell__item-static">{content}</div>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
