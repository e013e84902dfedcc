import { Fragment, type ReactNode } from "react";
import { t, type MessageKey, type Vars } from "./index";

/** A message whose {placeholders} are elements (a <strong> with a test id, a link): the translation decides
 * where they go. `rich("pay.received", { amount: <strong>…</strong> })`. `vars` fill the plain placeholders
 * first (and choose a plural message's form by `count`). */
export function rich(key: MessageKey, parts: Record<string, ReactNode>, vars?: Vars): ReactNode[] {
  return t(key, vars)
    .split(/(\{\w+\})/)
    .map((piece, i) => {
      const name = /^\{(\w+)\}$/.exec(piece)?.[1];
      return name !== undefined && name in parts ? <Fragment key={i}>{parts[name]}</Fragment> : piece;
    });
}
