import { Fragment, type ReactNode } from "react";
import { t, type MessageKey } from "./index";

/** A message whose {placeholders} are elements (a <strong> with a test id, a link): the translation decides
 * where they go. `rich("pay.received", { amount: <strong>…</strong> })`. */
export function rich(key: MessageKey, parts: Record<string, ReactNode>): ReactNode[] {
  return t(key)
    .split(/(\{\w+\})/)
    .map((piece, i) => {
      const name = /^\{(\w+)\}$/.exec(piece)?.[1];
      return name !== undefined && name in parts ? <Fragment key={i}>{parts[name]}</Fragment> : piece;
    });
}
